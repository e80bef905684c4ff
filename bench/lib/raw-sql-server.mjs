// The raw-SQL limit: a plain `pg` client doing just the SQL a perfect
// implementation needs per request (tenant setting + the queries), behind the
// same JWT check. No GraphQL: what is left is the cost of the SQL itself.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { jwtVerify } from "jose";
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const secret = new TextEncoder().encode(process.env.JWT_SECRET);

async function inTenant(tenantId, work) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenantId]);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

const routes = {
  list: (db, t) =>
    Promise.all([
      db.query(
        `SELECT l.id, l.name, l.email, l.status, l.score, l.owner_id,
           (SELECT coalesce(json_agg(a), '[]') FROM (SELECT id, type, occurred_at FROM activity
              WHERE tenant_id = l.tenant_id AND lead_id = l.id ORDER BY occurred_at DESC, id DESC LIMIT 3) a) AS activities
         FROM lead l WHERE l.tenant_id = $1 ORDER BY l.score DESC, l.id DESC LIMIT 51`,
        [t],
      ),
      db.query(`SELECT count(*)::int FROM lead WHERE tenant_id = $1`, [t]),
    ]).then(([page, count]) => ({ leads: page.rows.slice(0, 50), totalCount: count.rows[0].count })),
  detail: (db, t, body) =>
    db
      .query(
        `SELECT l.*, (SELECT coalesce(json_agg(a), '[]') FROM (SELECT id, type, summary, occurred_at FROM activity
            WHERE tenant_id = l.tenant_id AND lead_id = l.id ORDER BY occurred_at DESC, id DESC LIMIT 11) a) AS activities
         FROM lead l WHERE l.tenant_id = $1 AND l.id = $2`,
        [t, body.id],
      )
      .then((r) => r.rows[0] ?? null),
  entities: (db, t, body) =>
    db
      .query(
        `SELECT o.id AS owner, p.id, p.status FROM unnest($2::uuid[]) o(id) CROSS JOIN LATERAL (
           SELECT id, status FROM lead WHERE tenant_id = $1 AND owner_id = o.id ORDER BY created_at DESC, id DESC LIMIT 6) p`,
        [t, body.ownerIds],
      )
      .then((r) => r.rows),
  capture: async (db, t, body) => {
    const id = randomUUID();
    await db.query(
      `INSERT INTO lead (tenant_id, id, name, email, source, status, score, tags, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'WEBSITE_FORM', 'NEW', 20, '{}', 1, now(), now())`,
      [t, id, body.name, body.email],
    );
    await db.query(
      `INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, occurred_at) VALUES ($1, $2, $3, 'LeadCaptured', 1, $4, now())`,
      [t, randomUUID(), id, JSON.stringify(body)],
    );
    return { id };
  },
  tag: async (db, t, body) => {
    const updated = await db.query(
      `UPDATE lead SET tags = array_append(tags, $3), version = version + 1, updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING version`,
      [t, body.id, body.tag],
    );
    await db.query(
      `INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, occurred_at) VALUES ($1, $2, $3, 'LeadTagsChanged', $4, '{}', now())`,
      [t, randomUUID(), body.id, updated.rows[0]?.version ?? 1],
    );
    return updated.rows[0];
  },
};

createServer(async (req, res) => {
  try {
    const { payload } = await jwtVerify((req.headers.authorization ?? "").replace(/^Bearer /, ""), secret, { algorithms: ["HS256"] });
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw);
    const data = await inTenant(String(payload.tenant_id), (db) => routes[body.route](db, String(payload.tenant_id), body));
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data }));
  } catch (error) {
    res.writeHead(500).end(JSON.stringify({ error: String(error) }));
  }
}).listen(Number(process.env.PORT), "127.0.0.1", () => console.log("ready"));
