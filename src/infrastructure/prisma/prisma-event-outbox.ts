import type { LeadEvent } from "../../domain/lead/events";
import type { LeadView } from "../../application/lead-view";
import type { EventOutbox } from "../../application/unit-of-work";
import { Prisma } from "./generated/client";
import { jsonOrNull } from "./json-parameter";
import type { TenantDb } from "./tenant-db";

/** Writes a command's events into the outbox table, inside the command's transaction. */
export class PrismaEventOutbox implements EventOutbox {
  /** How many events this transaction wrote (counted once it commits). */
  appended = 0;

  constructor(
    private readonly db: TenantDb,
    private readonly tenantId: string,
  ) {}

  async append(events: LeadEvent[], leadAfter: LeadView | null): Promise<void> {
    if (events.length === 0) return;
    // One snapshot per command: every event of it shares the lead's new version.
    const snapshot = jsonOrNull(leadAfter);
    const rows = events.map(
      (event) =>
        Prisma.sql`(${this.tenantId}::uuid, ${event.eventId}::uuid, ${event.leadId}::uuid, ${event.name}, ${event.version},
          ${jsonOrNull(event.payload)}::jsonb, ${snapshot}::jsonb, ${event.actorId}::uuid, ${event.occurredAt}::timestamptz)`,
    );
    await this.db.$executeRaw`
      INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, actor_id, occurred_at)
      VALUES ${Prisma.join(rows)}`;
    this.appended += events.length;
  }
}
