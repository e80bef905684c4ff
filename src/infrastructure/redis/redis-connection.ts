import Redis, { type RedisOptions } from "ioredis";

/**
 * A Redis connection that fails fast while Redis is away (no offline queue),
 * so the outbox relay notices, rolls back and retries later instead of
 * piling commands up in memory; it reconnects by itself.
 */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    lazyConnect: false,
    ...options,
  });
  // ioredis reports every failed reconnect as an "error" event; the outage is
  // already visible where it matters (/ready, the relay's retry warnings).
  redis.on("error", () => {});
  return redis;
}

/** PING with a deadline: readiness must not hang on a hung Redis. */
export async function redisIsUp(redis: Redis, timeoutMs = 1000): Promise<boolean> {
  if (redis.status !== "ready") return false;
  const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref());
  return Promise.race([redis.ping().then((reply) => reply === "PONG", () => false), timeout]);
}
