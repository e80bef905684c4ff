// Applies bench/sql/postgraphile-equal-work.sql (the PostGraphile peer's
// captureLead, logLeadActivity and tagLead in PL/pgSQL) to the bench
// database and lets the runtime role call them. Idempotent: bench:seed runs
// it, and `npm run bench` runs it again so a database seeded before it existed works.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const SQL = join(import.meta.dirname, "..", "sql", "postgraphile-equal-work.sql");

/** `db`: a pg client connected to the bench database as its owner (the superuser). */
export async function applyEqualWorkFunctions(db, runtimeRole) {
  await db.query(readFileSync(SQL, "utf8"));
  const role = `"${runtimeRole.replaceAll('"', '""')}"`;
  await db.query(`GRANT USAGE ON SCHEMA bench_api, bench_private TO ${role}`);
  await db.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA bench_api, bench_private TO ${role}`);
}
