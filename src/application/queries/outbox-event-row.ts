import type { LeadEventName } from "../../domain/lead/events";
import type { PublishedLeadEvent } from "../live-events";

/** An outbox row as SQL returns it (the relay's claim, history, replay). */
export interface OutboxRecord {
  tenant_id: string;
  id: string;
  seq: bigint | number | string;
  aggregate_id: string;
  event_type: string;
  version: number;
  payload: Record<string, unknown>;
  lead_snapshot: Record<string, unknown> | null;
  actor_id: string | null;
  occurred_at: Date;
  /** The W3C traceparent of the request that wrote it (absent on rows written before it existed). */
  traceparent?: string | null;
}

/** The event as subscribers, history and replay show it: the one mapping of an outbox row. */
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
