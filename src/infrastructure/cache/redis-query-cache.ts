import type { CachedQueryName, QueryCache, TenantChangeSignal } from "../../application/queries/query-cache";
import type { Logger } from "../logger";
import type { RedisClient } from "../redis/redis-connection";
import { InFlight } from "./in-flight";
import { cacheKeys, freshGeneration, GENERATION_TTL_SECONDS, type LookupCounter } from "./cache-keys";

export interface RedisQueryCacheOptions {
  keyPrefix: string;
  ttlSeconds: number;
  onLookup: LookupCounter;
  /** A change could not move its tenant's generation on (Redis unreachable): retried until it can. */
  onInvalidationFailed: () => void;
  logger: Logger;
  /** How often failed invalidations are retried. */
  retryMs?: number;
}

/**
 * The query cache in Redis, shared by every instance. Readers GET the
 * tenant's generation, then the answer under it; a change SETs a fresh
 * generation. Every key has a TTL and nothing depends on a key surviving, so
 * Redis may evict any of them (maxmemory-policy allkeys-lru). Whenever Redis
 * does not answer, reads go to PostgreSQL (counted as bypass) and nothing fails.
 */
export class RedisQueryCache implements QueryCache, TenantChangeSignal {
  private readonly keys: ReturnType<typeof cacheKeys>;
  /** Tenants whose last change could not move the generation on: this instance reads them from PostgreSQL until it can. */
  private readonly unsignalled = new Set<string>();
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly inFlight = new InFlight();

  constructor(
    private readonly redis: RedisClient,
    private readonly options: RedisQueryCacheOptions,
  ) {
    this.keys = cacheKeys(options.keyPrefix);
  }

  async through<T>(query: CachedQueryName, tenantId: string, argumentsKey: string, compute: () => Promise<T>): Promise<T> {
    if (this.unsignalled.has(tenantId) || this.redis.status !== "ready") return this.bypass(query, compute);
    let key: string;
    let cached: string | null;
    try {
      // The generation is read BEFORE computing: an answer computed while a change
      // commits is stored under the generation that change replaces, out of later readers' reach.
      key = this.keys.answer(query, tenantId, await this.generationOf(tenantId), argumentsKey);
      cached = await this.redis.get(key);
    } catch {
      return this.bypass(query, compute);
    }
    if (cached !== null) {
      this.options.onLookup(query, "hit");
      return JSON.parse(cached) as T;
    }
    const { answer, joined } = this.inFlight.run(key, async () => {
      const computed = await compute();
      await this.redis.set(key, JSON.stringify(computed), "EX", this.options.ttlSeconds).catch(() => {});
      return computed;
    });
    // Joining a computation in flight answers without running the query: counted as a hit.
    this.options.onLookup(query, joined ? "hit" : "miss");
    return answer;
  }

  async tenantChanged(tenantId: string): Promise<void> {
    if (await this.moveGenerationOn(tenantId)) {
      this.unsignalled.delete(tenantId);
      return;
    }
    this.options.onInvalidationFailed();
    this.unsignalled.add(tenantId);
    this.options.logger.warn({ tenantId }, "query cache: Redis did not take a tenant's new generation; this instance reads that tenant from PostgreSQL and retries");
    this.scheduleRetry();
  }

  /** Stops retrying (the service is stopping). */
  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private async generationOf(tenantId: string): Promise<string> {
    const key = this.keys.generation(tenantId);
    const current = await this.redis.get(key);
    if (current !== null) return current;
    // Lost (evicted, expired) or never made: a fresh random one, never an earlier
    // value again. NX: of readers racing here, or a change, the first one set wins.
    const fresh = freshGeneration();
    if ((await this.redis.set(key, fresh, "EX", GENERATION_TTL_SECONDS, "NX")) === "OK") return fresh;
    const winner = await this.redis.get(key);
    if (winner === null) throw new Error("query cache: the generation key vanished while being read");
    return winner;
  }

  private async moveGenerationOn(tenantId: string): Promise<boolean> {
    try {
      await this.redis.set(this.keys.generation(tenantId), freshGeneration(), "EX", GENERATION_TTL_SECONDS);
      return true;
    } catch {
      return false;
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = null;
      for (const tenantId of [...this.unsignalled]) {
        if (await this.moveGenerationOn(tenantId)) this.unsignalled.delete(tenantId);
      }
      if (this.unsignalled.size) this.scheduleRetry();
    }, this.options.retryMs ?? 250);
    this.retryTimer.unref();
  }

  private bypass<T>(query: CachedQueryName, compute: () => Promise<T>): Promise<T> {
    this.options.onLookup(query, "bypass");
    return compute();
  }
}
