import { RedisPubSub } from "graphql-redis-subscriptions";
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

  async close(): Promise<void> {
    await this.pubSub.close();
  }
}
