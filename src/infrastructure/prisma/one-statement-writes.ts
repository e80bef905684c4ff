import type { Pool } from "pg";
import { isUuid } from "../../domain/shared/identifier";
import { tenantScopedRows, type PooledReadsOptions, type ReadStatement } from "../read-store/tenant-reads";

/** Runs one statement as one tenant's transaction of its own and returns its rows. */
export type OneStatementTransaction = <R>(tenantId: string, statement: ReadStatement) => Promise<R[]>;

/**
 * A command whose whole transaction is one statement (captureLead: the lead
 * and its outbox rows, docs/domain.md) needs no interactive transaction: the
 * tenant setting and the statement travel in one pipeline and PostgreSQL runs
 * them as one implicit transaction, committed at the Sync, or rolled back with
 * the statement on error. One round trip instead of Prisma's four (BEGIN, the
 * setting, the statement, COMMIT), on the same pool Prisma writes through.
 * Measured in bench/README.md (capture).
 */
export function oneStatementTransactions(pool: Pool, options: PooledReadsOptions = {}): OneStatementTransaction {
  return async <R>(tenantId: string, statement: ReadStatement): Promise<R[]> => {
    if (!isUuid(tenantId)) throw new Error("oneStatementTransaction: the tenant id is not a UUID");
    const client = await pool.connect();
    const state = { broken: false };
    try {
      return await tenantScopedRows<R>(client, tenantId, statement, { access: "write", state, onStatement: options.onStatement });
    } finally {
      client.release(state.broken);
    }
  };
}
