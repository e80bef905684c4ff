import type { TenantDb } from "./tenant-db";

/** Whose key it is: the same key string of another user or tenant is another key. */
export interface IdempotencyScope {
  tenantId: string;
  userId: string;
  key: string;
}

/** A stored answer: what the first request was (its hash) and what it got. */
export interface StoredAnswer {
  requestHash: string;
  status: number;
  body: string;
}

/**
 * The stored answers of idempotent requests (table idempotency_record), read
 * and written inside the request's own tenant transaction.
 */
export const idempotencyRecords = {
  /**
   * Holds the key for this transaction, or says another request holds it.
   * Transaction-scoped: released by the commit or rollback, even on a crash.
   */
  async tryLock(db: TenantDb, scope: IdempotencyScope): Promise<boolean> {
    const rows = await db.$queryRaw<{ locked: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(hashtextextended(${`${scope.tenantId}:${scope.userId}:${scope.key}`}, 2)) AS locked`;
    return rows[0]?.locked === true;
  },

  /** The unexpired answer for the key; an expired one (not purged yet) is removed and counts as none. */
  async find(db: TenantDb, scope: IdempotencyScope): Promise<StoredAnswer | null> {
    const rows = await db.$queryRaw<(StoredAnswer & { expired: boolean })[]>`
      SELECT request_hash AS "requestHash", response_status AS status, response_body AS body, expires_at <= now() AS expired
      FROM idempotency_record
      WHERE tenant_id = ${scope.tenantId}::uuid AND user_id = ${scope.userId} AND key = ${scope.key}`;
    const found = rows[0];
    if (!found) return null;
    if (!found.expired) return { requestHash: found.requestHash, status: found.status, body: found.body };
    await db.$executeRaw`
      DELETE FROM idempotency_record WHERE tenant_id = ${scope.tenantId}::uuid AND user_id = ${scope.userId} AND key = ${scope.key}`;
    return null;
  },

  async store(db: TenantDb, scope: IdempotencyScope, answer: StoredAnswer, options: { ttlSeconds: number; leadIds: string[] }): Promise<void> {
    await db.$executeRaw`
      INSERT INTO idempotency_record (tenant_id, user_id, key, request_hash, response_status, response_body, lead_ids, created_at, expires_at)
      VALUES (${scope.tenantId}::uuid, ${scope.userId}, ${scope.key}, ${answer.requestHash}, ${answer.status}, ${answer.body},
        ${options.leadIds}::uuid[], now(), now() + make_interval(secs => ${options.ttlSeconds}))`;
  },

  /**
   * Erasure: removes the stored answers that name the lead (deleteLead, a
   * merge's duplicate); a later retry with such a key executes afresh.
   */
  async eraseNamingLead(db: TenantDb, tenantId: string, leadId: string): Promise<number> {
    return db.$executeRaw`
      DELETE FROM idempotency_record WHERE tenant_id = ${tenantId}::uuid AND lead_ids @> ARRAY[${leadId}::uuid]`;
  },
};
