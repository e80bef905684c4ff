import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The service's Prometheus metrics, one registry per service instance. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
