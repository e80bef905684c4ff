import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** What a pool's gauges read at scrape time (node-postgres's pg.Pool has these). */
export interface PoolUse {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max?: number };
}

/** The service's Prometheus metrics, one registry per service instance. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Pools are read when scraped, not on every checkout: the gauges cost nothing on the hot path.
  const pools = new Map<string, PoolUse>();
  const poolGauge = (name: string, help: string, read: (pool: PoolUse) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["pool"] as const,
      registers: [registry],
      collect() {
        for (const [pool, use] of pools) this.set({ pool }, read(use));
      },
    });
  return {
    registry,
    requestDuration: new Histogram({
      name: "crm_graphql_request_duration_seconds",
      help: "GraphQL request duration by root field (bounded set) and operation type",
      labelNames: ["operation", "type"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    errors: new Counter({
      name: "crm_graphql_errors_total",
      help: "GraphQL errors by extensions.code",
      labelNames: ["code"] as const,
      registers: [registry],
    }),
    sqlDuration: new Histogram({
      name: "crm_sql_duration_seconds",
      help: "Duration of SQL statements issued by the service",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers: [registry],
    }),
    eventsPublished: new Counter({
      name: "crm_domain_events_published_total",
      help: "Domain events published by the outbox relay",
      registers: [registry],
    }),
    eventsWritten: new Counter({
      name: "crm_domain_events_written_total",
      help: "Domain events committed to the outbox",
      registers: [registry],
    }),
    outboxBacklog: new Gauge({ name: "crm_outbox_backlog_events", help: "Events waiting in the outbox", registers: [registry] }),
    outboxOldestAge: new Gauge({
      name: "crm_outbox_oldest_event_age_seconds",
      help: "Age of the oldest unpublished event",
      registers: [registry],
    }),
    documentsCompiled: new Counter({
      name: "crm_graphql_documents_compiled_total",
      help: "GraphQL documents compiled for execution (once per document and operation while the document cache keeps it)",
      registers: [registry],
    }),
    idempotentReplays: new Counter({
      name: "crm_idempotent_replays_total",
      help: "Requests answered with a stored answer (same Idempotency-Key, same body)",
      registers: [registry],
    }),
    idempotencyRecordsPurged: new Counter({
      name: "crm_idempotency_records_purged_total",
      help: "Expired idempotency records removed by the purge",
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: "crm_rate_limited_total",
      help: "Requests refused by the per-tenant limits, by reason (request_budget, subscription_cap)",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    rateLimiterFailOpen: new Counter({
      name: "crm_rate_limiter_fail_open_total",
      help: "Requests let through unchecked because the limiter's Redis did not answer",
      registers: [registry],
    }),
    streamErasures: new Counter({
      name: "crm_stream_erasures_total",
      help: "Erased leads (deleteLead, a merge's duplicate) whose personal-data stream entries were removed once LeadDeleted was published",
      registers: [registry],
    }),
    streamEntriesErased: new Counter({
      name: "crm_stream_entries_erased_total",
      help: "Stream entries removed (XDEL) because their lead was erased",
      registers: [registry],
    }),
    eventsReplayed: new Counter({
      name: "crm_events_replayed_total",
      help: "Events replayed to resumed subscriptions (leadEvents(after:))",
      registers: [registry],
    }),
    resumes: new Counter({
      name: "crm_subscription_resumes_total",
      help: "Resumed subscriptions by result: replayed, RESUME_POINT_UNKNOWN or RESUME_WINDOW_EXCEEDED",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    activeSubscriptions: new Gauge({
      name: "crm_active_subscriptions",
      help: "Live GraphQL subscriptions on this instance",
      registers: [registry],
    }),
    dbPoolConnections: poolGauge("crm_db_pool_connections", "Open connections of each PostgreSQL pool (busy + idle)", (pool) => pool.totalCount),
    dbPoolIdleConnections: poolGauge("crm_db_pool_idle_connections", "Idle connections of each PostgreSQL pool", (pool) => pool.idleCount),
    dbPoolWaitingClients: poolGauge("crm_db_pool_waiting_clients", "Checkouts waiting for a connection of each PostgreSQL pool (the pool is exhausted)", (pool) => pool.waitingCount),
    dbPoolMaxConnections: poolGauge("crm_db_pool_max_connections", "Most connections each PostgreSQL pool may open", (pool) => pool.options.max ?? 10),
    /** Reports a pool's use under `pool` (primary, replica_1, outbox_relay). */
    watchPool(name: string, pool: PoolUse): void {
      pools.set(name, pool);
    },
    ready: new Gauge({
      name: "crm_ready",
      help: "1 when the last readiness check passed (PostgreSQL answered within 2 s), 0 when /ready would answer 503",
      registers: [registry],
    }),
    enrichmentDeadLettered: new Counter({
      name: "crm_enrichment_dead_lettered_total",
      help: "LeadCaptured messages the enrichment consumer parked on the dead-letter stream (events:dead-letter)",
      registers: [registry],
    }),
    subscriptionExecutions: new Counter({
      name: "crm_subscription_executions_total",
      help: "Events executed for live subscriptions: once per shape (document, variables, tenant, roles) and event, however many subscribers share it",
      registers: [registry],
    }),
    slowSubscribersClosed: new Counter({
      name: "crm_slow_subscribers_closed_total",
      help: "Subscriber sockets closed (1013) because their client read too slowly: more than WS_MAX_BUFFERED_BYTES waiting",
      registers: [registry],
    }),
    subscriptionDeliveries: new Counter({
      name: "crm_subscription_deliveries_total",
      help: "Live subscription results sent to subscribers (one per subscriber and event)",
      registers: [registry],
    }),
    overloadShed: new Counter({
      name: "crm_overload_shed_total",
      help: "Operations refused with SERVICE_OVERLOADED before they started (admission gate), by transport (http, graphql-ws)",
      labelNames: ["transport"] as const,
      registers: [registry],
    }),
    admissionInFlight: new Gauge({
      name: "crm_admission_in_flight",
      help: "Operations holding a place at the admission gate (at most OVERLOAD_MAX_IN_FLIGHT)",
      registers: [registry],
    }),
    admissionQueued: new Gauge({
      name: "crm_admission_queued",
      help: "Operations waiting for a place at the admission gate (at most OVERLOAD_MAX_QUEUE)",
      registers: [registry],
    }),
    cacheLookups: new Counter({
      name: "crm_cache_lookups_total",
      help: "Query cache lookups by cached query and result: hit (stored, or joined a computation in flight), miss (computed and stored) or bypass (cache off or unreachable: read from PostgreSQL)",
      labelNames: ["query", "result"] as const,
      registers: [registry],
    }),
    cacheInvalidationFailures: new Counter({
      name: "crm_cache_invalidation_failures_total",
      help: "Committed changes whose tenant generation Redis did not take at once (retried; that tenant is read from PostgreSQL on this instance meanwhile)",
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
