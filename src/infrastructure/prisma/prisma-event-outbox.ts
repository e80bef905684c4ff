import type { LeadEvent } from "../../domain/lead/events";
import type { LeadView } from "../../application/lead-view";
import type { EventOutbox } from "../../application/unit-of-work";
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
    const snapshot = leadAfter ? JSON.parse(JSON.stringify(leadAfter)) : undefined;
    await this.db.outboxEvent.createMany({
      data: events.map((event) => ({
        tenantId: this.tenantId,
        id: event.eventId,
        aggregateId: event.leadId,
        eventType: event.name,
        version: event.version,
        payload: event.payload as object,
        leadSnapshot: snapshot,
        actorId: event.actorId,
        occurredAt: event.occurredAt,
      })),
    });
    this.appended += events.length;
  }
}
