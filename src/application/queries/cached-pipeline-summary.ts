import { parseUuid } from "../../domain/shared/identifier";
import type { TenantReads } from "../../infrastructure/read-store/tenant-reads";
import { pipelineSummary, type PipelineSummary } from "./pipeline-summary";
import type { QueryCache } from "./query-cache";

/**
 * pipelineSummary through the query cache: one entry per tenant and owner
 * (the owner checked and lowercased first, so bad input fails as before and
 * one owner has one key).
 */
export function cachedPipelineSummary(cache: QueryCache, reads: TenantReads, tenantId: string, ownerId?: string | null): Promise<PipelineSummary> {
  const owner = ownerId == null ? null : parseUuid(ownerId, "ownerId");
  return cache.through("pipelineSummary", tenantId, owner ?? "all", () => reads.inTenant(tenantId, (db) => pipelineSummary(db, tenantId, owner)));
}
