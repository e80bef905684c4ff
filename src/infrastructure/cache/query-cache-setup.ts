import type { CachedQueryName, QueryCache, TenantChangeSignal } from "../../application/queries/query-cache";
import type { Logger } from "../logger";
import { requestTransactionFor } from "../prisma/request-transaction";
import { connectRedis, type RedisTarget } from "../redis/redis-connection";
import type { LookupCounter } from "./cache-keys";
import { InProcessQueryCache } from "./in-process-query-cache";
import { RedisQueryCache } from "./redis-query-cache";

export interface QueryCacheSettings {
  enabled: boolean;
  ttlSeconds: number;
  keyPrefix: string;
  maxEntries: number;
}

export interface QueryCacheSetup {
  cache: QueryCache;
  changes: TenantChangeSignal;
  /** Where the cache lives, for the start-up log line. */
  kind: "redis" | "in-process" | "off";
  close(): Promise<void>;
}

/** A cache command that takes longer than this counts as Redis being away: the read goes to PostgreSQL. */
const REDIS_COMMAND_TIMEOUT_MS = 500;

/**
 * The query cache the configuration asks for: in Redis when Redis is
 * configured (shared by all instances), else in process; or none
 * (CACHE_ENABLED=false, every lookup a bypass).
 */
export function createQueryCache(
  settings: QueryCacheSettings,
  redisTarget: RedisTarget | null,
  counters: { onLookup: LookupCounter; onInvalidationFailed: () => void },
  logger: Logger,
): QueryCacheSetup {
  const { onLookup } = counters;
  if (!settings.enabled) {
    const off: QueryCache = {
      through: (query, _tenantId, _key, compute) => {
        onLookup(query, "bypass");
        return compute();
      },
    };
    return { cache: off, changes: { tenantChanged: async () => {} }, kind: "off", close: async () => {} };
  }
  if (!redisTarget) {
    const memory = new InProcessQueryCache({ ttlSeconds: settings.ttlSeconds, maxEntries: settings.maxEntries, onLookup });
    return { cache: outsideRequestTransactions(memory, onLookup), changes: memory, kind: "in-process", close: async () => {} };
  }
  const redis = connectRedis(redisTarget, { commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
  const shared = new RedisQueryCache(redis, { keyPrefix: settings.keyPrefix, ttlSeconds: settings.ttlSeconds, onLookup, onInvalidationFailed: counters.onInvalidationFailed, logger });
  return {
    cache: outsideRequestTransactions(shared, onLookup),
    changes: shared,
    kind: "redis",
    async close() {
      shared.close();
      redis.disconnect();
    },
  };
}

/**
 * Inside a request transaction (a mutation sent with an Idempotency-Key) reads
 * see the request's uncommitted writes: such an answer is neither looked up
 * nor stored.
 */
function outsideRequestTransactions(cache: QueryCache, onLookup: LookupCounter): QueryCache {
  return {
    through<T>(query: CachedQueryName, tenantId: string, argumentsKey: string, compute: () => Promise<T>): Promise<T> {
      if (!requestTransactionFor(tenantId)) return cache.through(query, tenantId, argumentsKey, compute);
      onLookup(query, "bypass");
      return compute();
    },
  };
}
