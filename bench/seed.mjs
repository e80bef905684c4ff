// npm run bench:seed: a deterministic data set in its own database `crm_bench`:
// tenant A with 10,000 leads (all statuses and sources, 50 owners, tags, values)
// and 50,000 activities; tenants B and C with 1,000 leads each.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ADMIN_URL, DATABASE, RUNTIME_PASSWORD, RUNTIME_ROLE, RUNTIME_URL, TENANTS, databaseUrl, require } from "./lib/bench-env.mjs";

const root = join(import.meta.dirname, "..");
if (!existsSync(join(root, "dist", "infrastructure", "prisma", "migrator.js"))) {
  console.error("bench:seed needs the build: run `npm run build` first");
  process.exit(1);
}
const { Client } = require("pg");
const { migrate } = require(join(root, "dist", "infrastructure", "prisma", "migrator.js"));
const { ensureRuntimeRole } = require(join(root, "dist", "infrastructure", "prisma", "roles.js"));

const admin = new Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DATABASE}`);
await admin.end();
await ensureRuntimeRole(ADMIN_URL, RUNTIME_ROLE, RUNTIME_PASSWORD);
await migrate({ migrationUrl: databaseUrl(), runtimeUrl: RUNTIME_URL });

const db = new Client({ connectionString: databaseUrl() });
await db.connect();
const started = Date.now();
// Leads: deterministic from their number n. The score follows RULES.md
// (source + phone + company + activities + value + QUALIFIED; CONVERTED 100, LOST 0).
async function seedLeads(tenant, count, activitiesPerLead) {
  await db.query(
    `INSERT INTO lead (tenant_id, id, name, email, phone, company, source, status, score, estimated_value_minor,
       estimated_value_currency, tags, lost_reason, owner_id, campaign_id, activity_count, version, created_at, updated_at, converted_at)
     SELECT $1::uuid, md5($1::text || n)::uuid, 'Lead ' || n, 'lead' || n || '@company' || (n % 500) || '.example',
       CASE WHEN n % 2 = 0 THEN '+1415555' || lpad((n % 10000)::text, 4, '0') END,
       CASE WHEN n % 3 <> 0 THEN 'Company ' || (n % 500) END,
       (ARRAY['WEBSITE_FORM','REFERRAL','PAID_AD','SOCIAL','EVENT','COLD_OUTREACH','IMPORT','OTHER'])[1 + n % 8],
       s.status,
       CASE s.status WHEN 'CONVERTED' THEN 100 WHEN 'LOST' THEN 0 ELSE LEAST(100,
         (ARRAY[20,30,15,10,25,5,5,5])[1 + n % 8] + CASE WHEN n % 2 = 0 THEN 10 ELSE 0 END + CASE WHEN n % 3 <> 0 THEN 10 ELSE 0 END
         + LEAST(5 * $3, 25) + CASE WHEN (n * 7919) % 2000000 >= 1000000 THEN 20 WHEN (n * 7919) % 2000000 >= 100000 THEN 10 ELSE 0 END
         + CASE WHEN s.status = 'QUALIFIED' THEN 10 ELSE 0 END) END,
       (n * 7919) % 2000000, 'USD', ARRAY['tag' || (n % 7), 'segment' || (n % 3)],
       CASE WHEN s.status = 'LOST' THEN 'No budget' END,
       ('0a000000-0000-4000-8000-' || lpad((n % 50)::text, 12, '0'))::uuid, NULL, $3, 1,
       timestamptz '2026-01-01' + n * interval '37 seconds', timestamptz '2026-01-01' + n * interval '41 seconds',
       CASE WHEN s.status = 'CONVERTED' THEN timestamptz '2026-06-01' END
     FROM generate_series(1, $2::int) n
     CROSS JOIN LATERAL (SELECT (ARRAY['NEW','CONTACTED','QUALIFIED','CONVERTED','LOST'])[1 + n % 5] AS status) s`,
    [tenant, count, activitiesPerLead],
  );
  if (activitiesPerLead > 0) {
    await db.query(
      `INSERT INTO activity (tenant_id, id, lead_id, type, summary, occurred_at, actor_id, created_at)
       SELECT $1::uuid, md5($1::text || n || ':' || a)::uuid, md5($1::text || n)::uuid, (ARRAY['NOTE','CALL','EMAIL','MEETING'])[1 + a % 4],
         'Activity ' || a || ' with lead ' || n, timestamptz '2026-02-01' + (n * 5 + a) * interval '13 seconds', NULL, now()
       FROM generate_series(1, $2::int) n, generate_series(1, $3::int) a`,
      [tenant, count, activitiesPerLead],
    );
  }
}
await seedLeads(TENANTS.A, 10_000, 5);
await seedLeads(TENANTS.B, 1_000, 0);
await seedLeads(TENANTS.C, 1_000, 0);
await db.query("ANALYZE");
const counts = (await db.query(`SELECT tenant_id, count(*)::int AS leads, sum(activity_count)::int AS activities FROM lead GROUP BY 1 ORDER BY 1`)).rows;
await db.end();
console.log(`bench:seed: ${DATABASE} ready in ${Date.now() - started} ms`, counts);
