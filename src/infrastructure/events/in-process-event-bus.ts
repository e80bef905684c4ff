import { EventEmitter } from "node:events";
import { PushedEventStream, type LiveEventStream } from "../../application/live-event-stream";
import type { LiveEventBus, PublishedLeadEvent } from "../../application/live-events";

/** Live events for a single instance (no REDIS_URL). */
export class InProcessEventBus implements LiveEventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(topic: string, event: PublishedLeadEvent): Promise<void> {
    // Subscribers get their own copy, as they would after a trip through Redis.
    this.emitter.emit(topic, JSON.parse(JSON.stringify(event)));
  }

  subscribe(topic: string): LiveEventStream<PublishedLeadEvent> {
    const listener = (event: PublishedLeadEvent) => stream.push(event);
    const stream = new PushedEventStream<PublishedLeadEvent>(() => this.emitter.off(topic, listener));
    this.emitter.on(topic, listener);
    return stream;
  }

  /** Listeners on a topic (what a released subscription must no longer be). */
  listenerCount(topic: string): number {
    return this.emitter.listenerCount(topic);
  }

  /** The listener is attached at once and buffers: attached when this returns. */
  async subscribeNow(topic: string): Promise<LiveEventStream<PublishedLeadEvent>> {
    return this.subscribe(topic);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
