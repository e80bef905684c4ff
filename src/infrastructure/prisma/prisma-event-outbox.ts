import type { LeadEvent } from "../../domain/lead/events";
import type { LeadView } from "../../application/lead-view";
import type { EventOutbox } from "../../application/unit-of-work";
import { activeTraceparent } from "../tracing/spans";
import { Prisma } from "./generated/client";
import { jsonOrNull } from "./json-parameter";
import type { TenantDb } from "./tenant-db";

/**
 * Writes a command's events into the outbox table, inside the command's
 * transaction, with the trace of the request that caused them (null without
 * tracing): the relay and the consumers continue it (docs/operations.md, "Tracing").
 */
export class PrismaEventOutbox implements EventOutbox {
  /** How many events this transaction wrote (counted once it commits). */
  appended = 0;
  /** Their ids: the outbox relay need not signal the query cache again for changes signalled at commit. */
  readonly eventIds: string[] = [];

  constructor(
    private readonly db: TenantDb,
    private readonly tenantId: string,
  ) {}

  async append(events: LeadEvent[], leadAfter: LeadView | null): Promise<void> {
    if (events.length === 0) return;
    // One snapshot per command: every event of it shares the lead's new version.
    const snapshot = jsonOrNull(leadAfter);
    const traceparent = activeTraceparent();
    const rows = events.map(
      (event) =>
        Prisma.sql`(${this.tenantId}::uuid, ${event.eventId}::uuid, ${event.leadId}::uuid, ${event.name}, ${event.version},
          ${jsonOrNull(event.payload)}::jsonb, ${snapshot}::jsonb, ${event.actorId}::uuid, ${event.occurredAt}::timestamptz, ${traceparent})`,
    );
    await this.db.$executeRaw`
      INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, actor_id, occurred_at, traceparent)
      VALUES ${Prisma.join(rows)}`;
    this.appended += events.length;
    for (const event of events) this.eventIds.push(event.eventId);
  }

  async appendEach(batches: readonly { events: LeadEvent[]; leadAfter: LeadView | null }[]): Promise<void> {
    const rows = batches.flatMap(({ events, leadAfter }) =>
      events.map((event) => ({
        id: event.eventId,
        aggregateId: event.leadId,
        eventType: event.name,
        version: event.version,
        payload: event.payload,
        leadSnapshot: leadAfter,
        actorId: event.actorId,
        occurredAt: event.occurredAt,
      })),
    );
    if (rows.length === 0) return;
    // The rows travel as one JSON array; jsonb_to_recordset keeps their order,
    // so the outbox's seq keeps each lead's events in the order recorded.
    await this.db.$executeRaw`
      INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, actor_id, occurred_at, traceparent)
      SELECT ${this.tenantId}::uuid, r.id, r."aggregateId", r."eventType", r.version, r.payload, r."leadSnapshot", r."actorId", r."occurredAt",
        ${activeTraceparent()}
      FROM ROWS FROM (jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS (id uuid, "aggregateId" uuid, "eventType" text,
        version int, payload jsonb, "leadSnapshot" jsonb, "actorId" uuid, "occurredAt" timestamptz)) WITH ORDINALITY
        AS r(id, "aggregateId", "eventType", version, payload, "leadSnapshot", "actorId", "occurredAt", n)
      ORDER BY r.n`;
    this.appended += rows.length;
    for (const row of rows) this.eventIds.push(row.id);
  }
}
