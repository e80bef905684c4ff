import type { Writable } from "node:stream";
import type { Client } from "pg";

const PAGE = 500;

/**
 * One NDJSON line per lead of the tenant: the lead's row, its activities
 * (oldest first) and its history (every event in commit order, each with the
 * lead as of that event). Streams page by page (keyset on id) inside one
 * read-only REPEATABLE READ transaction, so the file is one consistent
 * snapshot however long it takes; the writer's back-pressure is respected.
 */
export async function exportTenant(
  client: Client,
  tenantId: string,
  out: Writable,
  progress: (exported: number) => void = () => {},
): Promise<number> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    await client.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenantId]);
    let exported = 0;
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const { rows } = await client.query<{ id: string; line: string }>(
        `SELECT l.id, json_build_object(
           'lead', to_jsonb(l),
           'activities', (SELECT coalesce(json_agg(to_jsonb(a) ORDER BY a.occurred_at, a.id), '[]'::json)
                          FROM activity a WHERE a.tenant_id = l.tenant_id AND a.lead_id = l.id),
           'history', (SELECT coalesce(json_agg(json_build_object('eventId', o.id, 'type', o.event_type, 'version', o.version,
                         'occurredAt', o.occurred_at, 'actorId', o.actor_id, 'payload', o.payload, 'lead', o.lead_snapshot) ORDER BY o.seq), '[]'::json)
                       FROM outbox o WHERE o.tenant_id = l.tenant_id AND o.aggregate_id = l.id)
         )::text AS line
         FROM lead l WHERE l.tenant_id = $1 AND l.id > $2 ORDER BY l.id LIMIT ${PAGE}`,
        [tenantId, after],
      );
      for (const row of rows) {
        if (!out.write(`${row.line}\n`)) await new Promise((resolve) => out.once("drain", resolve));
      }
      exported += rows.length;
      if (rows.length) progress(exported);
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1].id;
    }
    await client.query("COMMIT");
    return exported;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
