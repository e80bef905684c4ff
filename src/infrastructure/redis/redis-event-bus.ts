import { RedisPubSub } from "graphql-redis-subscriptions";
import { EventQueue } from "../events/event-queue";
import type { RedisClient } from "./redis-connection";
import type { LiveEventBus, PublishedLeadEvent } from "../../application/live-events";

/**
 * Live events across instances: every instance publishes to and subscribes
 * from Redis pub/sub, so a subscriber on B sees what A committed.
 */
export class RedisEventBus implements LiveEventBus {
  private readonly pubSub: RedisPubSub;

  constructor(publisher: RedisClient, subscriber: RedisClient) {
    this.pubSub = new RedisPubSub({ publisher: publisher as never, subscriber: subscriber as never });
  }

  async publish(topic: string, event: PublishedLeadEvent): Promise<void> {
    await this.pubSub.publish(topic, event);
  }

  subscribe(topic: string): AsyncIterable<PublishedLeadEvent> {
    return this.pubSub.asyncIterableIterator<PublishedLeadEvent>(topic);
  }

  async subscribeNow(topic: string): Promise<AsyncIterableIterator<PublishedLeadEvent>> {
    const queue = new EventQueue<PublishedLeadEvent>();
    // RedisPubSub.subscribe resolves once Redis acknowledged the SUBSCRIBE (or, for a
    // topic this instance already listens to, at once): from then on nothing is missed.
    const subscriptionId = await this.pubSub.subscribe(topic, (event: PublishedLeadEvent) => queue.push(event));
    queue.onClose(() => this.pubSub.unsubscribe(subscriptionId));
    return queue;
  }

  async close(): Promise<void> {
    await this.pubSub.close();
  }
}
