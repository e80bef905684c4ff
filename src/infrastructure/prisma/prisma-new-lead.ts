import type { LeadView } from "../../application/lead-view";
import type { LeadEvent } from "../../domain/lead/events";
import type { Lead } from "../../domain/lead/lead";
import { LeadAlreadyExistsError } from "../../domain/shared/domain-error";
import { activeTraceparent } from "../tracing/spans";
import { Prisma } from "./generated/client";
import { jsonOrNull } from "./json-parameter";
import { leadColumnsFromState } from "./lead-row-mapper";

/** Where the statement runs: a transaction of its own (one round trip), or an Idempotency-Key request's transaction. */
export type RunStatement = <R>(statement: Prisma.Sql) => Promise<R[]>;

/**
 * A new lead and its events in ONE statement (captureLead's write; before, it
 * took four: the address lock, a look-up, the lead, the outbox rows).
 *
 * - The unique index on (tenant_id, email) decides duplicates, races included:
 *   ON CONFLICT DO NOTHING waits for a transaction inserting the same address
 *   and then leaves the lead out, and the outbox rows with it (they are
 *   inserted only if the lead was).
 * - The transaction-scoped advisory lock on the address is still taken, first,
 *   inside the statement: a contact update moving a lead to this address takes
 *   the same lock before it looks (docs/domain.md), so the two queue up and the
 *   second answers LEAD_ALREADY_EXISTS instead of failing on the index.
 * - Only a duplicate costs a second statement: the holder's id for the error.
 *   (The first one's snapshot predates a racing transaction's commit; this
 *   one's does not.)
 *
 * Returns how many events were written.
 */
export async function insertNewLeadWithEvents(
  run: RunStatement,
  tenantId: string,
  lead: Lead,
  events: readonly LeadEvent[],
  leadAfter: LeadView,
): Promise<number> {
  const c = leadColumnsFromState(lead.state);
  const snapshot = jsonOrNull(leadAfter);
  // The request's trace (null untraced), as PrismaEventOutbox keeps it: the relay and the consumers continue it.
  const traceparent = activeTraceparent();
  const eventRows = events.map(
    (event) =>
      Prisma.sql`(${tenantId}::uuid, ${event.eventId}::uuid, ${event.leadId}::uuid, ${event.name}, ${event.version}::int,
        ${jsonOrNull(event.payload)}::jsonb, ${snapshot}::jsonb, ${event.actorId}::uuid, ${event.occurredAt}::timestamptz, ${traceparent}::text)`,
  );
  const outbox = eventRows.length
    ? Prisma.sql`, recorded AS (
        INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, actor_id, occurred_at, traceparent)
        SELECT * FROM (VALUES ${Prisma.join(eventRows)}) AS e WHERE EXISTS (SELECT FROM inserted))`
    : Prisma.empty;
  const [{ inserted }] = await run<{ inserted: number }>(Prisma.sql`
    WITH reserved AS (SELECT pg_advisory_xact_lock(hashtextextended(${`${tenantId}:${c.email}`}, 0))),
    inserted AS (
      INSERT INTO lead (tenant_id, id, name, email, phone, company, source, status, score, estimated_value_minor,
        estimated_value_currency, tags, lost_reason, owner_id, campaign_id, enrichment, activity_count, version,
        created_at, updated_at, converted_at)
      SELECT ${tenantId}::uuid, ${lead.id}::uuid, ${c.name}, ${c.email}, ${c.phone}, ${c.company}, ${c.source}, ${c.status},
        ${c.score}::int, ${c.estimatedValueMinor}::int, ${c.estimatedValueCurrency}, ${c.tags}::text[], ${c.lostReason}, ${c.ownerId}::uuid,
        ${c.campaignId}::uuid, ${jsonOrNull(c.enrichment)}::jsonb, ${c.activityCount}::int, ${c.version}::int, ${c.createdAt}::timestamptz,
        ${c.updatedAt}::timestamptz, ${c.convertedAt}::timestamptz
      FROM reserved
      ON CONFLICT (tenant_id, email) DO NOTHING
      RETURNING id)${outbox}
    SELECT count(*)::int AS inserted FROM inserted`);
  if (inserted === 0) {
    const holder = await run<{ id: string }>(Prisma.sql`
      SELECT id FROM lead WHERE tenant_id = ${tenantId}::uuid AND email = ${c.email}`);
    throw new LeadAlreadyExistsError(holder[0]?.id ?? "");
  }
  return events.length;
}
