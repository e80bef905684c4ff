import type { Logger } from "../logger";
import { connectRedis, type RedisTarget } from "../redis/redis-connection";
import { RedisTenantBudget } from "./redis-tenant-budget";
import { InProcessSubscriptionSlots, RedisSubscriptionSlots, type SubscriptionSlots } from "./subscription-slots";
import { InProcessTenantBudget, type BucketSettings, type TenantBudget } from "./tenant-budget";

export interface TenantLimits {
  requests: TenantBudget;
  subscriptions: SubscriptionSlots;
  /** Resolves once the limiter's Redis answers, or after a short wait (the limits then fail open until it does). */
  connected(): Promise<void>;
  close(): Promise<void>;
}

export interface TenantLimitSettings extends BucketSettings {
  subscriptionCap: number;
}

// How long a limiter call may wait for Redis before the request goes through unchecked.
const REDIS_DEADLINE_MS = 1000;
const WARN_AT_MOST_EVERY_MS = 60_000;
// At start, how long the service waits for the limiter's Redis before serving without it.
const CONNECT_WAIT_MS = 2000;

/**
 * Per-tenant limits across instances through Redis when there is one (its own
 * connection, failing fast), else in this process. With Redis away the
 * limits fail open: counted (`onFailOpen`), logged at warn at most once a minute.
 */
export function createTenantLimits(
  target: RedisTarget | null,
  settings: TenantLimitSettings,
  options: { logger: Logger; onFailOpen: () => void },
): TenantLimits {
  if (!target) {
    return {
      requests: new InProcessTenantBudget(settings),
      subscriptions: new InProcessSubscriptionSlots(settings.subscriptionCap),
      connected: async () => {},
      close: async () => {},
    };
  }
  let lastWarning = 0;
  const onUnavailable = (error: unknown) => {
    options.onFailOpen();
    if (Date.now() - lastWarning < WARN_AT_MOST_EVERY_MS) return;
    lastWarning = Date.now();
    options.logger.warn({ err: error }, "rate limiter: Redis unavailable, letting requests through unchecked");
  };
  const redis = connectRedis(target, { commandTimeout: REDIS_DEADLINE_MS });
  const requests = new RedisTenantBudget(redis, settings, onUnavailable);
  const subscriptions = new RedisSubscriptionSlots(redis, settings.subscriptionCap, onUnavailable);
  return {
    requests,
    subscriptions,
    async connected() {
      if (redis.status === "ready") return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, CONNECT_WAIT_MS);
        redis.once("ready", done);
        function done() {
          clearTimeout(timer);
          redis.off("ready", done);
          resolve();
        }
      });
    },
    async close() {
      await subscriptions.close();
      redis.disconnect();
    },
  };
}
