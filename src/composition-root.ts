import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { hostname } from "node:os";
import type { CommandDeps } from "./application/commands/command-deps";
import { replayLeadEvents } from "./application/queries/replay-lead-events";
import type { EventReplay } from "./application/resume-lead-events";
import { createTokenVerifier } from "./infrastructure/auth/token-verifier";
import { withVerifiedTokenCache } from "./infrastructure/auth/verified-token-cache";
import { ConfigError, type Config } from "./infrastructure/config";
import { CompanyDirectoryClient } from "./infrastructure/enrichment/company-directory-client";
import { EnrichmentConsumer } from "./infrastructure/enrichment/enrichment-consumer";
import { createEventPlumbing } from "./infrastructure/events/event-plumbing";
import type { Logger } from "./infrastructure/logger";
import { createMetrics } from "./infrastructure/metrics";
import { OutboxRelay } from "./infrastructure/outbox/outbox-relay";
import { closeDatabasePool, createDatabasePool, type ConnectionWarn } from "./infrastructure/database-pool";
import { createPrismaClient } from "./infrastructure/prisma/prisma-client";
import { oneStatementTransactions } from "./infrastructure/prisma/one-statement-writes";
import { PrismaUnitOfWork } from "./infrastructure/prisma/prisma-unit-of-work";
import { runtimeRoleProblems } from "./infrastructure/prisma/runtime-role-check";
import { checkMigrationsApplied } from "./infrastructure/prisma/migration-check";
import { tenantScoped } from "./infrastructure/prisma/tenant-db";
import { pooledReads, roundRobin, type TenantReads } from "./infrastructure/read-store/tenant-reads";
import type { ApiServices } from "./graphql/context";
import { buildCrmSubgraphSchema } from "./graphql/schema";
import { startHttpServer } from "./graphql/server";
import { idempotencyGuard } from "./graphql/idempotent-requests";
import { rateLimitGuard } from "./graphql/rate-limit-guard";
import { guardsInOrder } from "./graphql/request-guard";
import { SubscriptionCap } from "./graphql/subscription-cap";
import { createTenantLimits } from "./infrastructure/rate-limit/tenant-limits";
import { redisTargetOf } from "./infrastructure/redis/redis-connection";
import { IdempotencyPurge } from "./infrastructure/prisma/idempotency-purge";
import { joiningRequestTransaction } from "./infrastructure/read-store/request-transaction-reads";
import { AdmissionGate } from "./infrastructure/overload/admission-gate";
import { overloadGuard } from "./graphql/overload-guard";
import { createQueryCache } from "./infrastructure/cache/query-cache-setup";
import { SignalledEvents } from "./infrastructure/cache/signalled-events";
import { startTracing } from "./infrastructure/tracing/tracing";

export interface CrmService {
  url: string;
  port: number;
  /** For the dev seed and tests that drive the application directly. */
  commands: CommandDeps;
  /** The query side on the primary. */
  reads: TenantReads;
  relay: OutboxRelay;
  /** The listening server, for tests that check its connection settings. */
  httpServer: Server;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  logger: Logger;
  /** Called with each SQL statement (tests count them). */
  onQuery?: (query: string) => void;
  /** Enrichment retry pacing (tests shorten it). */
  enrichmentBackoffBaseMs?: number;
  /** Uses of a document before it is compiled (1: the second use; tests say 0, so every test runs compiled code). */
  compileDocumentsAfterUses?: number;
}

const PROBE_TIMEOUT_MS = 2000;

/** Resolves with `fallback` if `work` fails or takes longer than a probe may wait. */
function withinProbeTimeout<T>(work: Promise<T>, fallback: T): Promise<T> {
  return Promise.race([work.catch(() => fallback), new Promise<T>((resolve) => setTimeout(resolve, PROBE_TIMEOUT_MS, fallback).unref())]);
}

/** The one place that wires domain, application, infrastructure and API together. */
export async function startCrmService(config: Config, options: ServiceOptions): Promise<CrmService> {
  const { logger } = options;
  if (!config.database.url) throw new Error("startCrmService needs a database URL");
  if (!config.jwt.secret && !config.jwt.jwksUrl) throw new Error("startCrmService needs JWT_SECRET or JWT_JWKS_URL");

  const metrics = createMetrics();
  // Off (null) without an OTLP endpoint: then nothing below makes a span or wraps a call.
  const tracing = await startTracing(config.tracing);
  const tracer = tracing?.tracer;
  const onStatement = (text: string, durationMs: number) => {
    metrics.sqlDuration.observe(durationMs / 1000);
    options.onQuery?.(text);
  };
  const warn: ConnectionWarn = (fields, message) => logger.warn(fields, message);
  // One pool per database: Prisma (commands) and the query side share the primary's.
  const primaryPool = createDatabasePool(config.database.url, { max: config.database.poolMax, name: "primary", warn, tracer });
  const prisma = createPrismaClient(primaryPool, { onQuery: (event) => onStatement(event.query, event.durationMs) });
  // Prisma compiles its query engine on its first query (a third of a second): paid before
  // the service says it is ready, not by the first /ready or the first mutation.
  const prismaWarm = prisma.$queryRaw`SELECT 1`.catch(() => undefined);
  // docs/domain.md: row-level security is the last line only if it binds the runtime role.
  const roleProblems = await runtimeRoleProblems(primaryPool);
  if (roleProblems.length && config.production) {
    await prisma.$disconnect();
    await closeDatabasePool(primaryPool);
    await tracing?.shutdown();
    throw new ConfigError("DATABASE_URL", `connects as a role RLS does not bind: ${roleProblems.join("; ")}`);
  }
  if (roleProblems.length) logger.warn({ problems: roleProblems }, "DATABASE_URL's role is not fenced by row-level security (allowed outside production)");
  // An unmigrated (or older) schema would pass /ready and fail every request: refuse to start.
  // main.ts migrates the embedded development database before it gets here.
  const schemaCheck = await checkMigrationsApplied(primaryPool).catch(async (error: unknown) => {
    await prisma.$disconnect();
    await closeDatabasePool(primaryPool);
    await tracing?.shutdown();
    throw error;
  });
  if (schemaCheck.unknown.length) {
    logger.warn({ migrations: schemaCheck.unknown }, "the database has migrations this release does not know (a newer release migrated it): fine during a rolling deploy, otherwise deploy the newer release");
  }
  const reads = pooledReads(primaryPool, { onStatement });
  // Query paths go to the replicas when there are any; commands always to the primary.
  const replicaPools = config.database.replicaUrls.map((url, index) => createDatabasePool(url, { max: config.database.poolMax, name: `replica ${index + 1}`, warn, tracer }));
  const queryReads = replicaPools.length ? roundRobin(replicaPools.map((pool) => pooledReads(pool, { onStatement }))) : reads;
  const events = createEventPlumbing(config, tracer);
  const queryCache = createQueryCache(
    config.cache,
    redisTargetOf(config),
    {
      onLookup: (query, result) => metrics.cacheLookups.inc({ query, result }),
      onInvalidationFailed: () => metrics.cacheInvalidationFailures.inc(),
    },
    logger,
  );
  // The relay has a small pool of its own: a publish backlog never starves requests.
  const signalledEvents = new SignalledEvents();
  const relayPool = createDatabasePool(config.database.url, { max: 2, name: "outbox relay", warn, tracer });
  const relayPrisma = createPrismaClient(relayPool);
  metrics.watchPool("primary", primaryPool);
  replicaPools.forEach((pool, index) => metrics.watchPool(`replica_${index + 1}`, pool));
  metrics.watchPool("outbox_relay", relayPool);
  const relay = new OutboxRelay(relayPrisma, events.publisher, logger, {
    tracer,
    onPublished: (count) => metrics.eventsPublished.inc(count),
    onStreamsErased: (leads, entries) => {
      metrics.streamErasures.inc(leads);
      metrics.streamEntriesErased.inc(entries);
    },
    // Changes of other instances (and of idempotent requests, whose ids are not kept): their tenants' generations move on here too.
    onEventsPublished: async (published) => {
      await Promise.all(signalledEvents.tenantsStillToSignal(published).map((tenantId) => queryCache.changes.tenantChanged(tenantId)));
    },
  });
  const tenantPrisma = tenantScoped(prisma);
  // After each commit (a command's, or an idempotent request's), before its answer is sent:
  // the tenant's cached answers go out of reach first (docs/scaling.md, Caching). Whatever
  // fails here must never turn a committed write into an error (a failed bump is retried by the cache).
  const afterCommit = async (eventsWritten: number, tenantId: string, eventIds: readonly string[] = []) => {
    try {
      metrics.eventsWritten.inc(eventsWritten);
      await queryCache.changes.tenantChanged(tenantId);
      signalledEvents.add(eventIds);
      if (eventsWritten > 0) relay.poke();
    } catch (error) {
      logger.warn({ err: error }, "after-commit bookkeeping failed; the relay's next poll publishes the events");
    }
  };
  const commands: CommandDeps = {
    unitOfWork: new PrismaUnitOfWork(tenantPrisma, oneStatementTransactions(primaryPool, { onStatement }), afterCommit),
    clock: () => new Date(),
    newId: randomUUID,
  };

  let enrichment: EnrichmentConsumer | null = null;
  if (config.enrichment && events.connectConsumer) {
    const { url: baseUrl, apiKey, timeoutMs } = config.enrichment;
    const directory = new CompanyDirectoryClient({ baseUrl, apiKey, timeoutMs, backoffBaseMs: options.enrichmentBackoffBaseMs, tracer });
    const consumerName = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    enrichment = new EnrichmentConsumer(events.connectConsumer(), directory, commands, logger, consumerName, undefined, () => metrics.enrichmentDeadLettered.inc(), tracer);
  } else if (config.enrichment) {
    logger.warn("ENRICHMENT_API_URL is set but Redis is not: enrichment consumes Redis streams, so it stays off");
  }

  // docs/domain.md, "Overload": work that needs the database is admitted, or shed before it starts.
  const admission = new AdmissionGate(config.overload);
  // Both series exist from the start (at 0), so a dashboard's rate() sees the first shed.
  for (const transport of ["http", "graphql-ws"]) metrics.overloadShed.inc({ transport }, 0);
  // Replay reads the primary: a replica may lag behind what was already published live.
  const replayFromPrimary: EventReplay = async (request) => {
    const outcome = await reads.inTenant(request.tenantId, (db) => replayLeadEvents(db, request, config.eventReplay));
    metrics.resumes.inc({ result: outcome.kind === "replay" ? "replayed" : outcome.kind === "unknown-position" ? "RESUME_POINT_UNKNOWN" : "RESUME_WINDOW_EXCEEDED" });
    if (outcome.kind === "replay") metrics.eventsReplayed.inc(outcome.events.length);
    return outcome;
  };
  // A resume needs the database at once: it passes the gate (shed, the subscription ends with SERVICE_OVERLOADED).
  const eventReplay: EventReplay = (request) => admission.run(() => replayFromPrimary(request), () => metrics.overloadShed.inc({ transport: "graphql-ws" }));

  // Inside an idempotent request's transaction, reads join it (they must see its uncommitted writes).
  const services: ApiServices = {
    commands,
    reads: joiningRequestTransaction(queryReads),
    primaryReads: joiningRequestTransaction(reads),
    // crm_active_subscriptions is counted per subscriber by graphql-ws-handler.ts (subscribers of one shape share one bus stream).
    liveEvents: events.bus,
    eventReplay,
    queryCache: queryCache.cache,
    readsMayLag: replicaPools.length > 0,
    tracer,
  };
  const tenantLimits = createTenantLimits(
    redisTargetOf(config),
    { ratePerSecond: config.rateLimits.tenantRequestsPerSecond, burst: config.rateLimits.tenantBurst, subscriptionCap: config.rateLimits.tenantSubscriptions },
    { logger, onFailOpen: () => metrics.rateLimiterFailOpen.inc() },
  );
  const idempotencyPurge = new IdempotencyPurge(primaryPool, {
    // A short TTL (tests) is purged about as often as it expires.
    intervalMs: Math.min(60, config.idempotencyTtlSeconds) * 1000,
    onPurged: (count) => metrics.idempotencyRecordsPurged.inc(count),
    logger,
  });
  const readiness = async () => {
    const [postgres, redis] = await Promise.all([
      withinProbeTimeout(primaryPool.query("SELECT 1").then(() => "up"), "down"),
      withinProbeTimeout(events.redisState(), "down" as const),
    ]);
    // Redis down still takes writes (the outbox holds the events): ready, but say so.
    metrics.ready.set(postgres === "up" ? 1 : 0);
    return { ok: postgres === "up", checks: { postgres, redis } };
  };

  const [schema] = await Promise.all([buildCrmSubgraphSchema(events.bus), prismaWarm, tenantLimits.connected()]);
  const http = await startHttpServer({
    schema,
    services,
    authenticate: withVerifiedTokenCache(createTokenVerifier(config.jwt)),
    logger,
    host: config.host,
    port: config.port,
    production: config.production,
    corsOrigins: config.corsOrigins,
    timeouts: config.timeouts,
    readiness,
    metrics,
    tracer,
    compileDocumentsAfterUses: options.compileDocumentsAfterUses,
    subscriberMaxBufferedBytes: config.subscriberMaxBufferedBytes,
    subscriberCoalesceWindowMs: config.subscriberCoalesceWindowMs,
    requestGuard: guardsInOrder(
      rateLimitGuard(tenantLimits.requests, () => metrics.rateLimited.inc({ reason: "request_budget" })),
      // After the tenant budget (a tenant over it takes no place), before the idempotency guard (which opens a transaction).
      overloadGuard(admission, () => metrics.overloadShed.inc({ transport: "http" })),
      idempotencyGuard({
        prisma: tenantPrisma,
        ttlSeconds: config.idempotencyTtlSeconds,
        afterCommit,
        onReplay: () => metrics.idempotentReplays.inc(),
        logger,
        faultAfterCommit: config.faultAfterCommit,
      }),
    ),
    subscriptionCap: new SubscriptionCap(tenantLimits.subscriptions, () => metrics.rateLimited.inc({ reason: "subscription_cap" })),
    beforeScrape: async () => {
      metrics.admissionInFlight.set(admission.load.inFlight);
      metrics.admissionQueued.set(admission.load.queued);
      // crm_ready is checked at each scrape too: an alert must not depend on someone probing /ready.
      const [backlog] = await Promise.all([withinProbeTimeout(relay.backlog(), null), readiness()]);
      if (!backlog) return;
      metrics.outboxBacklog.set(backlog.unpublished);
      metrics.outboxOldestAge.set(backlog.oldestAgeSeconds);
    },
  });
  relay.start();
  enrichment?.start();
  idempotencyPurge.start();
  logger.info({ url: http.url, events: config.redisClusterNodes.length ? "redis cluster" : config.redisSentinels ? "redis sentinel" : config.redisUrl ? "redis" : "in-process bus", queryCache: queryCache.kind }, "CRM subgraph ready");

  return {
    url: http.url,
    port: http.port,
    commands,
    reads,
    relay,
    httpServer: http.httpServer,
    async stop() {
      await http.stop();
      await idempotencyPurge.stop();
      await tenantLimits.close();
      await enrichment?.stop();
      await relay.stop();
      await queryCache.close();
      await events.close();
      await Promise.all([prisma, relayPrisma].map((client) => client.$disconnect()));
      // Closed means closed: every socket gone, so a database stopped or dropped next terminates nobody.
      await Promise.all([primaryPool, relayPool, ...replicaPools].map(closeDatabasePool));
      // Last: the spans of everything stopped above (the relay's final batch) are exported before the process exits.
      await tracing?.shutdown();
    },
  };
}
