// The raw-SQL limit: node:http + `pg`, behind the same JWT check, doing only
// the SQL a perfect implementation needs per request: BEGIN, the tenant
// set_config, ONE statement that returns the whole answer as JSON text
// (page + LATERAL activities + count; or a write with its outbox row in
// CTEs), COMMIT. No GraphQL: what is left is the cost of the SQL itself.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { jwtVerify } from "jose";
import pg from "pg";

const require = createRequire(import.meta.url);
const { scoreLead } = require(join(import.meta.dirname, "..", "..", "dist", "domain", "lead", "lead-scoring.js"));
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10) });
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
const one = (db, text, values) => db.query({ text, values, rowMode: "array" }).then((r) => r.rows[0]?.[0] ?? "null");

const ACTIVITIES = (limit, fields) => `LEFT JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object(${fields}) ORDER BY x.occurred_at DESC, x.id DESC), '[]') AS items
    FROM (SELECT * FROM activity WHERE tenant_id = l.tenant_id AND lead_id = l.id ORDER BY occurred_at DESC, id DESC LIMIT ${limit}) x
  ) a ON true`;

const routes = {
  list: (db, t) =>
    one(db, `SELECT json_build_object(
        'totalCount', (SELECT count(*) FROM lead WHERE tenant_id = $1),
        'leads', (SELECT coalesce(json_agg(json_build_object('id', l.id, 'name', l.name, 'email', l.email, 'status', l.status,
                    'score', l.score, 'ownerId', l.owner_id, 'activities', a.items) ORDER BY l.score DESC, l.id DESC), '[]')
                  FROM (SELECT * FROM lead WHERE tenant_id = $1 ORDER BY score DESC, id DESC LIMIT 51) l
                  ${ACTIVITIES(4, "'id', x.id, 'type', x.type, 'occurredAt', x.occurred_at")}))::text`, [t]),
  detail: (db, t, body) =>
    one(db, `SELECT json_build_object('id', l.id, 'name', l.name, 'email', l.email, 'status', l.status, 'score', l.score, 'activities', a.items)::text
        FROM lead l ${ACTIVITIES(11, "'id', x.id, 'type', x.type, 'summary', x.summary, 'occurredAt', x.occurred_at")}
        WHERE l.tenant_id = $1 AND l.id = $2`, [t, body.id]),
  entities: (db, t, body) =>
    one(db, `SELECT coalesce(json_agg(json_build_object('id', o.id, 'assignedLeads', p.items) ORDER BY o.ord), '[]')::text
        FROM unnest($2::uuid[]) WITH ORDINALITY o(id, ord) CROSS JOIN LATERAL (
          SELECT coalesce(json_agg(json_build_object('id', x.id, 'status', x.status) ORDER BY x.created_at DESC, x.id DESC), '[]') AS items
          FROM (SELECT id, status, created_at FROM lead WHERE tenant_id = $1 AND owner_id = o.id ORDER BY created_at DESC, id DESC LIMIT 6) x) p`,
      [t, body.ownerIds]),
  capture: (db, t, body, sub) => {
    const id = randomUUID();
    const score = scoreLead({ source: "WEBSITE_FORM", hasPhone: false, hasCompany: false, activityCount: 0, estimatedValueMinor: null, employeeCount: null, status: "NEW" });
    const snapshot = { id, name: body.name, email: body.email, source: "WEBSITE_FORM", status: "NEW", score, version: 1 };
    return one(db, `WITH l AS (
          INSERT INTO lead (tenant_id, id, name, email, source, status, score, tags, version, created_at, updated_at)
          VALUES ($1, $2, $3, $4, 'WEBSITE_FORM', 'NEW', $5, '{}', 1, now(), now()) RETURNING id, score, version)
        INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, actor_id, occurred_at)
        SELECT $1, $6, l.id, 'LeadCaptured', l.version, '{}', $7, $8, now() FROM l
        RETURNING json_build_object('id', aggregate_id, 'version', version, 'score', $5::int)::text`,
      [t, id, body.name, body.email, score, randomUUID(), JSON.stringify(snapshot), sub]);
  },
  // A new activity: insert it, bump count/score/version (the score rule: +5 per activity up to 5, none once CONVERTED or LOST), outbox.
  activity: (db, t, body, sub) =>
    one(db, `WITH a AS (
          INSERT INTO activity (tenant_id, id, lead_id, type, summary, occurred_at, actor_id, created_at)
          VALUES ($1, $2, $3, 'CALL', $4, now(), $5, now()) RETURNING id),
        l AS (
          UPDATE lead SET activity_count = activity_count + 1, version = version + 1, updated_at = now(),
            score = CASE WHEN status IN ('CONVERTED', 'LOST') THEN score ELSE LEAST(100, score + CASE WHEN activity_count < 5 THEN 5 ELSE 0 END) END
          WHERE tenant_id = $1 AND id = $3 AND EXISTS (SELECT 1 FROM a) RETURNING id, version)
        INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, actor_id, occurred_at)
        SELECT $1, $6, l.id, 'LeadActivityLogged', l.version, json_build_object('activityId', $2::uuid, 'type', 'CALL'), $5, now() FROM l
        RETURNING json_build_object('id', $2::uuid)::text`,
      [t, randomUUID(), body.id, body.summary, sub, randomUUID()]),
  // Adds a tag the lead lacks (at most 20), with its outbox row.
  tag: (db, t, body, sub) =>
    one(db, `WITH l AS (
          UPDATE lead SET tags = array_append(coalesce(tags, '{}'), $3), version = version + 1, updated_at = now()
          WHERE tenant_id = $1 AND id = $2 AND NOT ($3 = ANY(coalesce(tags, '{}'))) AND cardinality(coalesce(tags, '{}')) < 20
          RETURNING id, version)
        INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, actor_id, occurred_at)
        SELECT $1, $4, l.id, 'LeadTagsChanged', l.version, json_build_object('added', json_build_array($3::text), 'removed', '[]'::json), $5, now() FROM l
        RETURNING json_build_object('id', aggregate_id, 'version', version)::text`,
      [t, body.id, body.tag, randomUUID(), sub]),
};

const server = createServer(async (req, res) => {
  try {
    const { payload } = await jwtVerify((req.headers.authorization ?? "").replace(/^Bearer /, ""), secret, { algorithms: ["HS256"] });
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw);
    const route = routes[body.route];
    if (!route) throw new Error(`unknown route ${body.route}`);
    const tenant = String(payload.tenant_id);
    const data = await inTenant(tenant, (db) => route(db, tenant, body, payload.sub ?? null));
    res.writeHead(200, { "content-type": "application/json" }).end(`{"data":${data}}`);
  } catch (error) {
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
  }
});
server.listen(Number(process.env.PORT), process.env.HOST ?? "127.0.0.1", () => console.log("ready"));
process.once("SIGTERM", () => server.close(() => pool.end().then(() => process.exit(0))));
