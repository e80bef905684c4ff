import type { Tracer } from "@opentelemetry/api";
import type { LiveEventBus } from "../../application/live-events";
import type { Config } from "../config";
import { InProcessEventPublisher } from "../outbox/in-process-event-publisher";
import type { EventPublisher } from "../outbox/outbox-record";
import { RedisEventPublisher } from "../outbox/redis-event-publisher";
import { connectRedis, redisIsUp, redisTargetOf, type RedisClient } from "../redis/redis-connection";
import { RedisEventBus } from "../redis/redis-event-bus";
import { InProcessEventBus } from "./in-process-event-bus";

export interface EventPlumbing {
  /** Where live subscribers listen. */
  bus: LiveEventBus;
  /** Where the outbox relay publishes. */
  publisher: EventPublisher;
  /** A connection for a blocking stream consumer, or null without Redis. */
  connectConsumer: (() => RedisClient) | null;
  redisState: () => Promise<"up" | "down" | "not configured">;
  close(): Promise<void>;
}

/**
 * Redis (a single server by REDIS_URL, a cluster by REDIS_CLUSTER_NODES, or the
 * primary that REDIS_SENTINELS name) for
 * streams and pub/sub across instances, else one instance's in-process bus.
 */
export function createEventPlumbing(
  config: Pick<Config, "redisUrl" | "redisClusterNodes" | "redisSentinels" | "eventStreamMaxLen">,
  /** With tracing on: the relay's Redis pipelines as spans. */
  tracer?: Tracer,
): EventPlumbing {
  const target = redisTargetOf(config);
  if (!target) {
    const bus = new InProcessEventBus();
    return {
      bus,
      publisher: new InProcessEventPublisher(bus),
      connectConsumer: null,
      redisState: async () => "not configured",
      close: () => bus.close(),
    };
  }
  const commands = connectRedis(target);
  // Subscriptions wait for Redis to come back rather than fail: keep their queue.
  const subscriber = connectRedis(target, { enableOfflineQueue: true, maxRetriesPerRequest: null });
  const bus = new RedisEventBus(commands, subscriber);
  const consumers: RedisClient[] = [];
  return {
    bus,
    publisher: new RedisEventPublisher(commands, config.eventStreamMaxLen, tracer),
    connectConsumer: () => {
      const consumer = connectRedis(target, { enableOfflineQueue: true, maxRetriesPerRequest: null });
      consumers.push(consumer);
      return consumer;
    },
    redisState: async () => ((await redisIsUp(commands)) ? "up" : "down"),
    async close() {
      await bus.close().catch(() => {});
      for (const connection of [commands, subscriber, ...consumers]) connection.disconnect();
    },
  };
}
