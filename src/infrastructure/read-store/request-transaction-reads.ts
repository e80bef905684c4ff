import { requestTransactionFor } from "../prisma/request-transaction";
import type { TenantReads } from "./tenant-reads";

/**
 * Reads that join the request transaction when there is one (a mutation sent
 * with an Idempotency-Key): the answer shows the request's own writes before
 * they commit, and is stored with them. Otherwise the reads go to `base`.
 */
export function joiningRequestTransaction(base: TenantReads): TenantReads {
  return {
    inTenant(tenantId, work) {
      const request = requestTransactionFor(tenantId);
      if (!request) return base.inTenant(tenantId, work);
      return request.step((db) => work({ rows: (statement) => db.$queryRaw(statement) }));
    },
  };
}
