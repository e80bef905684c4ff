import { tenantTopic, type LiveEventBus, type PublishedLeadEvent } from "../../application/live-events";
import type { EventPublisher } from "./outbox-record";

/** Without Redis: events go to this instance's live subscribers only (no streams). */
export class InProcessEventPublisher implements EventPublisher {
  constructor(private readonly bus: LiveEventBus) {}

  async publish(events: PublishedLeadEvent[]): Promise<null[]> {
    for (const event of events) await this.bus.publish(tenantTopic(event.tenantId), event);
    return events.map(() => null);
  }

  async removeStreamEntries(): Promise<number> {
    return 0;
  }
}
