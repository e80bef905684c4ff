import { onceEnded, type LiveEventStream } from "../../application/live-event-stream";
import type { LiveEventBus, PublishedLeadEvent } from "../../application/live-events";

export interface SubscriptionGauge {
  inc(): void;
  dec(): void;
}

/**
 * Counts live subscriptions where they start and end: one more when a resolver
 * opens a stream (so a subscribe refused by validation or by its arguments is
 * never counted), one less exactly once when that stream ends, however it ends.
 */
export function countedLiveEventBus(bus: LiveEventBus, gauge: SubscriptionGauge): LiveEventBus {
  const counted = (stream: LiveEventStream<PublishedLeadEvent>) => {
    gauge.inc();
    return onceEnded(stream, () => gauge.dec());
  };
  return {
    publish: (topic, event) => bus.publish(topic, event),
    subscribe: (topic) => counted(bus.subscribe(topic)),
    subscribeNow: async (topic) => counted(await bus.subscribeNow(topic)),
    close: () => bus.close(),
  };
}
