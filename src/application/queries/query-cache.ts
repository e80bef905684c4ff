/** The queries whose answers are cached: expensive, and read far more often than they change. */
export type CachedQueryName = "pipelineSummary" | "leadsTotalCount";

/**
 * Cached answers of a tenant's queries (docs/scaling.md, Caching). An answer is
 * stored under the tenant's generation as read BEFORE it was computed, and
 * every committed change of the tenant's leads moves the generation on
 * (TenantChangeSignal) before the change is acknowledged: a read that starts
 * after a write's answer never finds an answer from before that write.
 */
export interface QueryCache {
  /**
   * The cached answer of `query` for `argumentsKey` in `tenantId`'s current
   * generation, else `compute()`'s (stored for the next reader). The tenant
   * must be the caller's own (from the token); `argumentsKey` must spell each
   * set of arguments one way only.
   */
  through<T>(query: CachedQueryName, tenantId: string, argumentsKey: string, compute: () => Promise<T>): Promise<T>;
}

/** Told after each committed change of a tenant's leads; resolves once cached answers of that tenant are out of reach. Never rejects. */
export interface TenantChangeSignal {
  tenantChanged(tenantId: string): Promise<void>;
}
