import type { Tracer } from "@opentelemetry/api";
import type { CommandDeps } from "../application/commands/command-deps";
import type { QueryCache } from "../application/queries/query-cache";
import type { LiveEventBus } from "../application/live-events";
import type { EventReplay } from "../application/resume-lead-events";
import type { AuthState } from "../infrastructure/auth/principal";
import type { RequestReadSession } from "../infrastructure/read-store/request-read-session";
import type { TenantReads } from "../infrastructure/read-store/tenant-reads";
import { createLoaders, type RequestLoaders } from "./loaders";

/** What the resolvers need from the rest of the service, wired by the composition root. */
export interface ApiServices {
  commands: CommandDeps;
  /** Query paths: read replicas when configured, else the primary. */
  reads: TenantReads;
  /** The primary, for what must read its own writes (a mutation's returned lead). */
  primaryReads: TenantReads;
  liveEvents: LiveEventBus;
  /** For leadEvents(after:): the tenant's committed events after a position. */
  eventReplay: EventReplay;
  /** Cached answers of expensive queries (pipelineSummary). */
  queryCache: QueryCache;
  /** Whether `reads` are replicas, which may lag behind a committed change. */
  readsMayLag: boolean;
  /** With tracing on: spans for DataLoader batches and look-ahead fetches. */
  tracer?: Tracer;
}

export interface RequestContext {
  auth: AuthState;
  requestId: string;
  services: ApiServices;
  /** Set for mutations: everything the request reads comes from the primary. */
  readYourWrites: boolean;
  /** Set for query operations: all reads of the request share one connection. */
  readSession: RequestReadSession | null;
  /** Per-request batching, bound to the caller's tenant; made on first use. */
  loaders: RequestLoaders | null;
}

export function createRequestContext(services: ApiServices, auth: AuthState, requestId: string): RequestContext {
  return { auth, requestId, services, readYourWrites: false, readSession: null, loaders: null };
}

/** Where this request reads: the primary after a write, else the read path. */
export function readsOf(context: RequestContext): TenantReads {
  if (context.readSession) return context.readSession;
  return context.readYourWrites ? context.services.primaryReads : context.services.reads;
}

/**
 * Where an answer to be cached is computed: never a replica that may lag, as
 * the answer is stored under a generation read from the primary's side of
 * time; else the request's own read path.
 */
export function cacheFillReadsOf(context: RequestContext): TenantReads {
  return context.services.readsMayLag ? context.services.primaryReads : readsOf(context);
}

/** Loaders exist once authentication passed; resolvers call this after requireRole. */
export function loadersOf(context: RequestContext): RequestLoaders {
  if (context.auth.kind !== "authenticated") throw new Error("loaders requested before authentication");
  context.loaders ??= createLoaders(readsOf(context), context.auth.principal.tenantId, context.services.tracer);
  return context.loaders;
}
