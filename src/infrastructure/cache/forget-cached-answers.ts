import type { RedisClient } from "../redis/redis-connection";
import { cacheKeys, freshGeneration, GENERATION_TTL_SECONDS } from "./cache-keys";

/**
 * Moves a tenant's generation on from outside the service (tenant:erase):
 * every instance's next read of that tenant misses. Throws if Redis does not
 * take it, so the tool fails rather than leave answers from before reachable.
 */
export async function forgetCachedAnswers(redis: RedisClient, keyPrefix: string, tenantId: string): Promise<void> {
  await redis.set(cacheKeys(keyPrefix).generation(tenantId), freshGeneration(), "EX", GENERATION_TTL_SECONDS);
}
