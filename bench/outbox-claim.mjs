// The relay's claim as history grows: with the outbox retained as Lead.history,
// does crm_claim_outbox stay fast beside 1M published rows?
// `npm run build && node bench/outbox-claim.mjs [--history 1000000]`: a throwaway database,
// 1M published history rows (3 tenants, 100k leads) plus a backlog of 2,000
// unpublished events; the claim of a 200-event batch timed (rolled back, so each
// run claims the same rows), before and after the history is there. Dropped afterwards.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { ADMIN_URL, fromDist } from "./lib/bench-env.mjs";

const { values } = parseArgs({ options: { history: { type: "string", default: "1000000" }, runs: { type: "string", default: "50" } } });
const HISTORY = Number(values.history);
const RUNS = Number(values.runs);
const { migrate } = fromDist("infrastructure/prisma/migrator.js");

const name = `crm_bench_claim_${randomBytes(4).toString("hex")}`;
const urlOf = (database) => Object.assign(new URL(ADMIN_URL), { pathname: `/${database}` }).toString();
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const db = new pg.Client({ connectionString: urlOf(name) });
try {
  await migrate({ migrationUrl: urlOf(name) });
  await db.connect();
  const insert = (rows, published) =>
    db.query(
      `INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, occurred_at, published_at, stream_id)
       SELECT ('00000000-0000-4000-8000-' || lpad(((i % 3) + 1)::text, 12, '0'))::uuid, gen_random_uuid(),
              ('00000000-0000-4000-9000-' || lpad((i % 100000)::text, 12, '0'))::uuid,
              'LeadTagsChanged', i / 100000 + 1, '{"added":["vip"],"removed":[]}', '{"id":"x","name":"A Lead","status":"NEW"}',
              now(), ${published ? "now()" : "NULL"}, ${published ? "'1-' || i" : "NULL"}
       FROM generate_series(1, $1) AS i`,
      [rows],
    );
  const claim = async () => {
    const times = [];
    for (let run = 0; run < RUNS; run++) {
      await db.query("BEGIN");
      const started = performance.now();
      const { rowCount } = await db.query("SELECT * FROM crm_claim_outbox(200)");
      times.push(performance.now() - started);
      await db.query("ROLLBACK");
      if (rowCount !== 200) throw new Error(`claimed ${rowCount}, expected 200`);
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(times.length / 2)].toFixed(2), p95: times[Math.floor(times.length * 0.95)].toFixed(2) };
  };
  await insert(2000, false);
  await db.query("ANALYZE outbox");
  const before = await claim();
  console.log(`claim of 200 with 2,000 unpublished and no history: median ${before.median} ms, p95 ${before.p95} ms`);
  const started = performance.now();
  await insert(HISTORY, true);
  await db.query("ANALYZE outbox");
  console.log(`(${HISTORY.toLocaleString("en")} published history rows written in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const after = await claim();
  console.log(`claim of 200 with 2,000 unpublished and ${HISTORY.toLocaleString("en")} history rows: median ${after.median} ms, p95 ${after.p95} ms`);
} finally {
  await db.end().catch(() => {});
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
