import { randomBytes } from "node:crypto";
import type { CachedQueryName } from "../../application/queries/query-cache";

/** The word each cached query's keys start with. */
const KEY_WORDS: Record<CachedQueryName, string> = { pipelineSummary: "summary", leadsTotalCount: "count" };

/** What a lookup came to, as counted in crm_cache_lookups_total{result}. */
export type LookupResult = "hit" | "miss" | "bypass";
export type LookupCounter = (query: CachedQueryName, result: LookupResult) => void;

/**
 * Key names, each under the configured prefix (one deployment, or one test,
 * per prefix). The tenant in a key always comes from the caller's token, and
 * arguments follow the tenant and generation, so no argument can reach
 * another tenant's or another generation's keys.
 */
export function cacheKeys(prefix: string) {
  return {
    /** The tenant's current generation. */
    generation: (tenantId: string) => `${prefix}gen:${tenantId}`,
    /** One answer: `summary:<tenant>:<generation>:<arguments>`. */
    answer: (query: CachedQueryName, tenantId: string, generation: string, argumentsKey: string) =>
      `${prefix}${KEY_WORDS[query]}:${tenantId}:${generation}:${argumentsKey}`,
  };
}

/**
 * A new generation: random, never a counter. A generation key that was
 * evicted or expired is replaced by a fresh one, so no later generation can
 * equal an earlier one and bring its answers back.
 */
export function freshGeneration(): string {
  return randomBytes(8).toString("hex");
}

/** How long a generation key lives without a change: any length is safe (a lost one is replaced by a fresh one). */
export const GENERATION_TTL_SECONDS = 86_400;
