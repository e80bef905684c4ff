import { randomUUID } from "node:crypto";
import type { Client } from "pg";
import { LEAD_EVENT_NAMES } from "../../domain/lead/events";
import { streamOf } from "../outbox/redis-event-publisher";
import type { RedisClient } from "../redis/redis-connection";

export const TENANT_ERASED_STREAM = "events:TenantErased";

export interface TenantErasure {
  /** Rows removed per table. */
  rows: Record<string, number>;
  streamEntries: number;
  /** Whether this run published the events:TenantErased entry. */
  announced: boolean;
}

/**
 * Every table of the CRM that holds tenant data: those with a tenant_id
 * column, so a table added later (idempotency records, ...) is covered
 * without touching this. Tables other tables reference come last.
 */
async function tenantTables(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string; referenced: boolean }>(
    `SELECT c.table_name,
            EXISTS (SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' AND k.confrelid = format('%I', c.table_name)::regclass
                    AND k.conrelid <> k.confrelid) AS referenced
     FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id'
     ORDER BY referenced, c.table_name`,
  );
  return rows.map((row) => row.table_name);
}

/** Removes every row of the tenant, in one transaction, as the tenant (RLS confines it). */
async function eraseRows(client: Client, tenantId: string): Promise<Record<string, number>> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenantId]);
    // A relay publishing this tenant's events right now finishes first (the per-lead
    // lock its claim takes), and none starts until this commits: after the commit,
    // every entry the streams will ever hold of this tenant is there to be removed.
    await client.query(
      `SELECT pg_advisory_xact_lock(hashtextextended(tenant_id::text || ':' || aggregate_id::text, 7))
       FROM (SELECT DISTINCT tenant_id, aggregate_id FROM outbox WHERE tenant_id = $1 AND published_at IS NULL) unpublished`,
      [tenantId],
    );
    const removed: Record<string, number> = {};
    for (const table of await tenantTables(client)) {
      const result = await client.query(`DELETE FROM "${table.replace(/"/g, '""')}" WHERE tenant_id = $1`, [tenantId]);
      removed[table] = result.rowCount ?? 0;
    }
    await client.query("COMMIT");
    return removed;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** The tenant's entry ids in one stream, read in chunks (streams are capped by EVENT_STREAM_MAXLEN). */
async function tenantEntries(redis: RedisClient, stream: string, tenantId: string): Promise<string[]> {
  const ids: string[] = [];
  let start = "-";
  for (;;) {
    const chunk = await redis.xrange(stream, start, "+", "COUNT", 1000);
    for (const [id, fields] of chunk) {
      for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === "tenant_id" && fields[i + 1] === tenantId) ids.push(id);
    }
    if (chunk.length < 1000) return ids;
    start = `(${chunk[chunk.length - 1][0]}`;
  }
}

async function eraseStreams(redis: RedisClient, tenantId: string): Promise<number> {
  let removed = 0;
  for (const name of LEAD_EVENT_NAMES) {
    const stream = streamOf(name);
    const ids = await tenantEntries(redis, stream, tenantId);
    for (let i = 0; i < ids.length; i += 500) removed += await redis.xdel(stream, ...ids.slice(i, i + 500));
  }
  return removed;
}

/**
 * tenant:erase: the tenant's rows in every table, then its entries in the
 * CRM's event streams, then one events:TenantErased {tenant_id} for the other
 * services. Idempotent: a run that finds nothing left publishes nothing more
 * (unless no announcement was ever made, e.g. an earlier run stopped short).
 */
export async function eraseTenant(client: Client, redis: RedisClient | null, tenantId: string): Promise<TenantErasure> {
  const rows = await eraseRows(client, tenantId);
  if (!redis) return { rows, streamEntries: 0, announced: false };
  const streamEntries = await eraseStreams(redis, tenantId);
  const erasedSomething = streamEntries > 0 || Object.values(rows).some((count) => count > 0);
  const announcedBefore = (await tenantEntries(redis, TENANT_ERASED_STREAM, tenantId)).length > 0;
  const announced = erasedSomething || !announcedBefore;
  if (announced) {
    await redis.xadd(TENANT_ERASED_STREAM, "*", "event_type", "TenantErased", "event_id", randomUUID(), "tenant_id", tenantId,
      "occurred_at", new Date().toISOString(), "data", JSON.stringify({ tenant_id: tenantId }));
  }
  return { rows, streamEntries, announced };
}
