import Redis, { Cluster, type RedisOptions } from "ioredis";

/** A single Redis or a Redis Cluster: the same commands, sent where the keys live. */
export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  url?: string;
  /** host:port of some cluster nodes; the rest are discovered. */
  clusterNodes?: string[];
  /** Sentinels that name the current primary of `name` (failover follows it). */
  sentinels?: { nodes: string[]; name: string } | null;
}

/** Where the configuration points Redis (a URL, a cluster or sentinels), or null without Redis. */
export function redisTargetOf(config: {
  redisUrl?: string;
  redisClusterNodes: string[];
  redisSentinels: { nodes: string[]; name: string } | null;
}): RedisTarget | null {
  if (!config.redisUrl && config.redisClusterNodes.length === 0 && !config.redisSentinels) return null;
  return { url: config.redisUrl, clusterNodes: config.redisClusterNodes, sentinels: config.redisSentinels };
}

function hostAndPort(node: string): { host: string; port: number } {
  return { host: node.slice(0, node.lastIndexOf(":")), port: Number(node.slice(node.lastIndexOf(":") + 1)) };
}

/**
 * A Redis connection that fails fast while Redis is away (no offline queue),
 * so the outbox relay notices, rolls back and retries later instead of
 * piling commands up in memory; it reconnects by itself.
 */
export function connectRedis(target: RedisTarget, options: RedisOptions = {}): RedisClient {
  const settings: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    lazyConnect: false,
    ...options,
  };
  const redis = target.clusterNodes?.length
    ? new Cluster(target.clusterNodes.map(hostAndPort), {
        enableOfflineQueue: settings.enableOfflineQueue,
        redisOptions: settings,
        clusterRetryStrategy: settings.retryStrategy as never,
      })
    : target.sentinels
      ? new Redis({ ...settings, sentinels: target.sentinels.nodes.map(hostAndPort), name: target.sentinels.name })
      : new Redis(target.url as string, settings);
  // ioredis reports every failed reconnect as an "error" event; the outage is
  // already visible where it matters (/ready, the relay's retry warnings).
  redis.on("error", () => {});
  return redis;
}

/** PING with a deadline: readiness must not hang on a hung Redis. */
export async function redisIsUp(redis: RedisClient, timeoutMs = 1000): Promise<boolean> {
  if (redis.status !== "ready") return false;
  const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref());
  return Promise.race([redis.ping().then((reply) => reply === "PONG", () => false), timeout]);
}
