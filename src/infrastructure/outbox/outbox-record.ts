import type { LeadEventName } from "../../domain/lead/events";
import type { PublishedLeadEvent } from "../../application/live-events";

/** An outbox row as the relay claims it (crm_claim_outbox). */
export interface OutboxRecord {
  tenant_id: string;
  id: string;
  seq: bigint | number;
  aggregate_id: string;
  event_type: string;
  version: number;
  payload: Record<string, unknown>;
  lead_snapshot: Record<string, unknown> | null;
  actor_id: string | null;
  occurred_at: Date;
}

export function publishedEventOf(record: OutboxRecord): PublishedLeadEvent {
  return {
    eventId: record.id,
    name: record.event_type as LeadEventName,
    tenantId: record.tenant_id,
    leadId: record.aggregate_id,
    version: record.version,
    occurredAt: new Date(record.occurred_at).toISOString(),
    actorId: record.actor_id,
    payload: record.payload ?? {},
    lead: record.event_type === "LeadDeleted" ? null : record.lead_snapshot,
  };
}

/** Where the relay hands committed events: Redis (streams + pub/sub) or the in-process bus. */
export interface EventPublisher {
  /** Publishes in the given order; throws if any could not be published (the batch is retried). */
  publish(events: PublishedLeadEvent[]): Promise<void>;
}
