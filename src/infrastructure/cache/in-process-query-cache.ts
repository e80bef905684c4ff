import type { CachedQueryName, QueryCache, TenantChangeSignal } from "../../application/queries/query-cache";
import { InFlight } from "./in-flight";
import { cacheKeys, freshGeneration, type LookupCounter } from "./cache-keys";

export interface InProcessQueryCacheOptions {
  ttlSeconds: number;
  /** Entries kept at most (answers and generations together); the least recently used go first. */
  maxEntries: number;
  onLookup: LookupCounter;
  /** For tests: the clock TTLs are measured on. */
  now?: () => number;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The query cache without Redis (the in-process bus: one instance only), by
 * the same generation rule as in Redis: generations live in the same LRU as
 * answers, and one that was evicted is replaced by a fresh random one.
 * Answers are kept as JSON, so no caller can change a cached answer in place.
 */
export class InProcessQueryCache implements QueryCache, TenantChangeSignal {
  private readonly entries = new Map<string, Entry>();
  private readonly keys = cacheKeys("");
  private readonly now: () => number;
  private readonly inFlight = new InFlight();

  constructor(private readonly options: InProcessQueryCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  async through<T>(query: CachedQueryName, tenantId: string, argumentsKey: string, compute: () => Promise<T>): Promise<T> {
    // Read before computing, as in Redis: a change committed meanwhile leaves this answer under the old generation.
    const key = this.keys.answer(query, tenantId, this.generationOf(tenantId), argumentsKey);
    const cached = this.get(key);
    if (cached !== undefined) {
      this.options.onLookup(query, "hit");
      return JSON.parse(cached) as T;
    }
    const { answer, joined } = this.inFlight.run(key, async () => {
      const computed = await compute();
      this.set(key, JSON.stringify(computed), this.options.ttlSeconds * 1000);
      return computed;
    });
    // Joining a computation in flight answers without running the query: counted as a hit.
    this.options.onLookup(query, joined ? "hit" : "miss");
    return answer;
  }

  async tenantChanged(tenantId: string): Promise<void> {
    this.set(this.keys.generation(tenantId), freshGeneration(), Infinity);
  }

  /** How many entries are held (tests check the bound). */
  get size(): number {
    return this.entries.size;
  }

  private generationOf(tenantId: string): string {
    const key = this.keys.generation(tenantId);
    const current = this.get(key);
    if (current !== undefined) return current;
    const fresh = freshGeneration();
    this.set(key, fresh, Infinity);
    return fresh;
  }

  private get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry); // now the most recently used
    return entry.value;
  }

  private set(key: string, value: string, ttlMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    // A Map iterates in insertion order: the first key is the least recently used.
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
