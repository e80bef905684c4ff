import type { CommandDeps } from "../application/commands/command-deps";
import type { LiveEventBus } from "../application/live-events";
import type { AuthState } from "../infrastructure/auth/principal";
import type { TenantScopedPrisma } from "../infrastructure/prisma/tenant-db";
import { createLoaders, type RequestLoaders } from "./loaders";

/** What the resolvers need from the rest of the service, wired by the composition root. */
export interface ApiServices {
  commands: CommandDeps;
  reads: TenantScopedPrisma;
  liveEvents: LiveEventBus;
}

export interface RequestContext {
  auth: AuthState;
  requestId: string;
  services: ApiServices;
  /** Per-request batching, bound to the caller's tenant; null for anonymous callers. */
  loaders: RequestLoaders | null;
}

export function createRequestContext(services: ApiServices, auth: AuthState, requestId: string): RequestContext {
  const loaders = auth.kind === "authenticated" ? createLoaders(services.reads, auth.principal.tenantId) : null;
  return { auth, requestId, services, loaders };
}

/** Loaders exist once authentication passed; resolvers call this after requireRole. */
export function loadersOf(context: RequestContext): RequestLoaders {
  if (!context.loaders) throw new Error("loaders requested before authentication");
  return context.loaders;
}
