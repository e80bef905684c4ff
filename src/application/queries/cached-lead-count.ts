import type { TenantReads } from "../../infrastructure/read-store/tenant-reads";
import { countLeads, type LeadFilter } from "./list-leads";
import type { QueryCache } from "./query-cache";

/**
 * `leads { totalCount }` through the query cache, one entry per tenant and
 * filter: counting a tenant's leads reads every matching index entry (for a
 * list screen, more of PostgreSQL's time than the page itself), while the
 * answer changes only when the tenant's leads do, and then the tenant's
 * generation moves on (docs/scaling.md, Caching). A filter the count refuses
 * is never stored, so it is refused every time.
 */
export function cachedLeadCount(cache: QueryCache, reads: TenantReads, tenantId: string, filter: LeadFilter | null | undefined): Promise<number> {
  return cache.through("leadsTotalCount", tenantId, filterKey(filter), () => reads.inTenant(tenantId, (db) => countLeads(db, tenantId, filter)));
}

/** The filter as JSON with its keys in one order (absent and null alike), so one filter has one key. */
function filterKey(filter: LeadFilter | null | undefined): string {
  if (!filter) return "{}";
  const entries = Object.entries(filter)
    .filter(([, value]) => value !== undefined && value !== null)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(Object.fromEntries(entries));
}
