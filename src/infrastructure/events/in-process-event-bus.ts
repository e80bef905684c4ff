import { EventEmitter, on } from "node:events";
import type { LiveEventBus, PublishedLeadEvent } from "../../application/live-events";

/** Live events for a single instance (no REDIS_URL). */
export class InProcessEventBus implements LiveEventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(topic: string, event: PublishedLeadEvent): Promise<void> {
    // Subscribers get their own copy, as they would after a trip through Redis.
    this.emitter.emit(topic, JSON.parse(JSON.stringify(event)));
  }

  subscribe(topic: string): AsyncIterableIterator<PublishedLeadEvent> {
    const controller = new AbortController();
    const events = on(this.emitter, topic, { signal: controller.signal });
    return {
      next: async () => {
        try {
          const result = await events.next();
          return result.done ? result : { done: false, value: result.value[0] as PublishedLeadEvent };
        } catch (error) {
          if (controller.signal.aborted) return { done: true, value: undefined };
          throw error;
        }
      },
      return: async () => {
        controller.abort();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** events.on attaches its listener at once and buffers: attached when this returns. */
  async subscribeNow(topic: string): Promise<AsyncIterableIterator<PublishedLeadEvent>> {
    return this.subscribe(topic);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
