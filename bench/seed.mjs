// npm run bench:seed: creates the database `crm_bench`, migrates it with the
// project's migrator (as the superuser; runtime role crm_bench_app) and loads
// the deterministic data set of lib/dataset.mjs: tenant A with 10,000 leads
// (all statuses and sources, 50 owners, tags, values) and 50,000 activities,
// tenants B and C with 1,000 leads each, and tenant D with 100,000 (the
// search and duplicates scenarios of increment 2a; BENCH_SEED_LARGE=0 leaves it out),
// and the PostGraphile peer's equal-work mutations (bench/sql/postgraphile-equal-work.sql).
// Needs `npm run build` first.
import { ADMIN_URL, DATABASE, RUNTIME_PASSWORD, RUNTIME_ROLE, RUNTIME_URL, databaseUrl, fromDist, require } from "./lib/bench-env.mjs";
import { loadDataset, verifyDataset } from "./lib/dataset.mjs";
import { applyEqualWorkFunctions } from "./lib/equal-work.mjs";

const { migrate } = fromDist("infrastructure/prisma/migrator.js");
const { ensureRuntimeRole } = fromDist("infrastructure/prisma/roles.js");
const { Client } = require("pg");

const started = performance.now();
const admin = new Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DATABASE}`);
await admin.end();
await ensureRuntimeRole(ADMIN_URL, RUNTIME_ROLE, RUNTIME_PASSWORD);
await migrate({ migrationUrl: databaseUrl(), runtimeUrl: RUNTIME_URL, log: (line) => console.log(`bench:seed: ${line}`) });

const db = new Client({ connectionString: databaseUrl() });
await db.connect();
try {
  // The PostGraphile peer's equal-work mutations (bench only, not a project migration).
  await applyEqualWorkFunctions(db, RUNTIME_ROLE);
  await loadDataset(db, { large: process.env.BENCH_SEED_LARGE !== "0" });
  const tenants = await verifyDataset(db);
  console.log(`bench:seed: ${DATABASE} seeded and checked against the scoring rules in ${Math.round(performance.now() - started)} ms`);
  for (const [tenant, t] of Object.entries(tenants)) console.log(`  tenant ${tenant}: ${t.leads} leads, ${t.activities} activities, ${JSON.stringify(t.statuses)}`);
} finally {
  await db.end();
}
