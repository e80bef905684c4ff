import type { LeadEventName } from "../../domain/lead/events";
import { Prisma } from "../../infrastructure/prisma/generated/client";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import type { PublishedLeadEvent } from "../live-events";
import { publishedEventOf, type OutboxRecord } from "./outbox-event-row";

/** What a resumed subscription asks to have replayed. */
export interface ReplayRequest {
  tenantId: string;
  /** The last event the subscriber received. */
  after: string;
  leadId: string | null;
  eventNames: LeadEventName[] | null;
}

export interface ReplayLimits {
  /** More events than this to replay: the client reloads instead. */
  maxEvents: number;
  /** A position older than this is no longer a resume point. */
  retentionSeconds: number;
}

export type ReplayOutcome =
  | { kind: "replay"; events: PublishedLeadEvent[] }
  | { kind: "unknown-position" }
  | { kind: "window-exceeded" };

/**
 * The events of the tenant committed after `after`, filtered like live ones,
 * in commit order (the outbox's seq, the order the relay claims in; one
 * lead's events are in version order). An erased lead's events are ids-only
 * tombstones: they keep positions valid, and only its LeadDeleted is replayed.
 */
export async function replayLeadEvents(db: ReadDb, request: ReplayRequest, limits: ReplayLimits): Promise<ReplayOutcome> {
  const { tenantId } = request;
  const [position] = await db.rows<{ seq: string; expired: boolean }>(Prisma.sql`
    SELECT o.seq, o.occurred_at < now() - make_interval(secs => ${limits.retentionSeconds}::double precision) AS expired
    FROM outbox o WHERE o.tenant_id = ${tenantId}::uuid AND o.id = ${request.after}::uuid`);
  if (!position || position.expired) return { kind: "unknown-position" };
  const rows = await db.rows<OutboxRecord>(Prisma.sql`
    SELECT o.* FROM outbox o
    WHERE o.tenant_id = ${tenantId}::uuid AND o.seq > ${position.seq}::bigint
      AND NOT (o.lead_snapshot IS NULL AND o.event_type <> 'LeadDeleted')
      ${request.leadId ? Prisma.sql`AND o.aggregate_id = ${request.leadId}::uuid` : Prisma.empty}
      ${request.eventNames ? Prisma.sql`AND o.event_type = ANY(${request.eventNames}::text[])` : Prisma.empty}
    ORDER BY o.seq
    LIMIT ${limits.maxEvents + 1}`);
  if (rows.length > limits.maxEvents) return { kind: "window-exceeded" };
  return { kind: "replay", events: rows.map(publishedEventOf) };
}
