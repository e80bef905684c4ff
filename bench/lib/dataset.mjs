// The benchmark's data set, generated deterministically in JS (same input,
// same rows, every time) and scored by the service's own rules
// (dist/domain/lead/lead-scoring.js), so the rows are ones the domain could
// have written: CHECK constraints hold, activity_count matches the
// activities, the score is what scoreLead gives.
import { createHash } from "node:crypto";
import { OWNERS, TENANTS, fromDist, ownerId } from "./bench-env.mjs";

const { scoreLead } = fromDist("domain/lead/lead-scoring.js");

/** What is seeded: tenant A large, B and C small (RLS must hide them). */
export const PLAN = [
  { tenant: TENANTS.A, leads: 10_000, activities: 50_000, seed: 1 },
  { tenant: TENANTS.B, leads: 1_000, activities: 0, seed: 2 },
  { tenant: TENANTS.C, leads: 1_000, activities: 0, seed: 3 },
];

/**
 * The large tenant (search and duplicates at 100,000 leads): names, companies,
 * mail domains and phones varied enough for trigram search to mean something,
 * with near-duplicates as an imported list has them. Seeded only when those
 * scenarios run, so the 10,000-lead scenarios keep their data set.
 */
export const LARGE_PLAN = { tenant: TENANTS.D, leads: 100_000, activities: 0, seed: 4, varied: true };

const uuidOf = (text) => {
  const hex = createHash("md5").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
/** The id of a tenant's lead number n (1-based). */
export const seededLeadId = (n, tenant = TENANTS.A) => uuidOf(`${tenant}${n}`);

/** mulberry32: a small seeded PRNG, so the data set is the same on every machine. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const weighted = (rand, table) => {
  let roll = rand() * table.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of table) if ((roll -= w) < 0) return value;
  return table.at(-1)[0];
};
const pick = (rand, values) => values[Math.floor(rand() * values.length)];

const STATUSES = [["NEW", 30], ["CONTACTED", 25], ["QUALIFIED", 20], ["CONVERTED", 10], ["LOST", 15]];
const SOURCES = [["WEBSITE_FORM", 30], ["REFERRAL", 15], ["PAID_AD", 15], ["SOCIAL", 10], ["EVENT", 10], ["COLD_OUTREACH", 10], ["IMPORT", 5], ["OTHER", 5]];
const STEPS = { NEW: 0, CONTACTED: 1, QUALIFIED: 2, CONVERTED: 3, LOST: 2 };
const TAGS = ["vip", "enterprise", "smb", "partner", "renewal", "inbound", "outbound", "q1-push", "follow-up", "trial", "churn-risk", "expansion"];
const LOST_REASONS = ["No budget", "Chose a competitor", "No response", "Bad timing"];
const INDUSTRIES = ["software", "retail", "manufacturing", "finance", "health", "logistics"];
const ACTIVITY_TYPES = ["NOTE", "CALL", "EMAIL", "MEETING"];
const CAMPAIGNS = Array.from({ length: 5 }, (_, k) => `0c000000-0000-4000-8000-${String(k).padStart(12, "0")}`);
const SYLLABLES = ["ka", "lo", "mi", "ra", "ne", "to", "su", "vi", "da", "re", "po", "li", "ma", "ko", "sa", "te", "nu", "bo", "fe", "gi"];
const COMPANY_SUFFIXES = ["Inc", "GmbH", "Ltd", "Labs", "Systems", "Group", "Partners", "Holdings"];
/** A pronounceable word of `count` syllables from numbers, capitalised: deterministic and varied. */
const word = (rand, count) => {
  const text = Array.from({ length: count }, () => pick(rand, SYLLABLES)).join("");
  return text[0].toUpperCase() + text.slice(1);
};
const DAY = 86_400_000;
const START = Date.parse("2026-01-01T00:00:00Z");

/** Activities per lead: 0..10 at random, then nudged so they add up to exactly `total`. */
function activityCounts(rand, leads, total) {
  const counts = Array.from({ length: leads }, () => (total ? Math.floor(rand() * 11) : 0));
  let diff = total - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; diff !== 0; i = (i + 1) % leads) {
    if (diff > 0 && counts[i] < 10) (counts[i] += 1), (diff -= 1);
    else if (diff < 0 && counts[i] > 0) (counts[i] -= 1), (diff += 1);
  }
  return counts;
}

/** One tenant's rows, keyed by column name (as jsonb_populate_recordset wants them). */
export function tenantRows({ tenant, leads: leadCount, activities: activityTotal, seed, varied = false }) {
  const rand = random(seed);
  const counts = activityCounts(rand, leadCount, activityTotal);
  const leads = [];
  const activities = [];
  for (let n = 1; n <= leadCount; n++) {
    const status = weighted(rand, STATUSES);
    const source = weighted(rand, SOURCES);
    let phone = rand() < 0.6 ? `+1415555${String(n % 10_000).padStart(4, "0")}` : null;
    let company = rand() < 0.7 ? `Company ${n % 500}` : null;
    let name = `Lead ${n}`;
    let email = `lead${n}@company${n % 500}.example`;
    if (varied) {
      // About 50 leads per company domain, 2 per phone number, names from 400 x 8,000 syllable words.
      const first = word(rand, 2);
      const last = word(rand, 3);
      name = `${first} ${last}`;
      phone = phone === null ? null : `+1415${String(n % 50_000).padStart(7, "0")}`;
      company = company === null ? null : `${word(rand, 3)} ${pick(rand, COMPANY_SUFFIXES)}`;
      email = `${first}.${last}.${n}@${rand() < 0.2 ? "gmail.com" : `firm${n % 2000}.example`}`.toLowerCase();
    }
    // Values spread over 10 .. 50,000 (in cents: 1,000 .. 5,000,000): both scoring thresholds are hit.
    const valueMinor = rand() < 0.75 ? Math.round(1000 * 5000 ** rand()) : null;
    const enrichment = company && rand() < 0.3
      ? { domain: `company${n % 500}.example`, name: company, employeeCount: Math.round(5 * 400 ** rand()), industry: pick(rand, INDUSTRIES) }
      : null;
    // Qualified and converted leads need an owner; 10% of the others have none.
    const owner = status === "QUALIFIED" || status === "CONVERTED" || rand() < 0.9 ? ownerId(Math.floor(rand() * OWNERS)) : null;
    const tags = [...new Set(Array.from({ length: Math.floor(rand() * 4) }, () => pick(rand, TAGS)))];
    const activityCount = counts[n - 1];
    const createdAt = START + Math.floor(rand() * 300 * DAY);
    let updatedAt = createdAt + Math.floor(rand() * DAY);
    for (let a = 1; a <= activityCount; a++) {
      const occurredAt = createdAt + Math.floor(rand() * 20 * DAY);
      updatedAt = Math.max(updatedAt, occurredAt);
      activities.push({
        tenant_id: tenant,
        id: uuidOf(`${tenant}${n}:${a}`),
        lead_id: seededLeadId(n, tenant),
        type: pick(rand, ACTIVITY_TYPES),
        summary: `Activity ${a} with lead ${n}`,
        occurred_at: new Date(occurredAt).toISOString(),
        actor_id: owner,
        created_at: new Date(occurredAt).toISOString(),
      });
    }
    const score = scoreLead({ source, hasPhone: phone !== null, hasCompany: company !== null, activityCount, estimatedValueMinor: valueMinor, employeeCount: enrichment?.employeeCount ?? null, status });
    leads.push({
      tenant_id: tenant,
      id: seededLeadId(n, tenant),
      name,
      email,
      phone,
      company,
      source,
      status,
      score,
      estimated_value_minor: valueMinor,
      estimated_value_currency: valueMinor === null ? null : rand() < 0.9 ? "USD" : "EUR",
      tags,
      lost_reason: status === "LOST" ? pick(rand, LOST_REASONS) : null,
      owner_id: owner,
      campaign_id: rand() < 0.3 ? pick(rand, CAMPAIGNS) : null,
      enrichment,
      activity_count: activityCount,
      version: 1 + STEPS[status] + activityCount + (tags.length ? 1 : 0) + (enrichment ? 1 : 0),
      created_at: new Date(createdAt).toISOString(),
      updated_at: new Date(updatedAt).toISOString(),
      converted_at: status === "CONVERTED" ? new Date(updatedAt).toISOString() : null,
    });
  }
  return { leads, activities };
}

async function insertRows(db, table, rows, batch) {
  for (let i = 0; i < rows.length; i += batch) {
    await db.query(`INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(null::${table}, $1::jsonb)`, [JSON.stringify(rows.slice(i, i + batch))]);
  }
}

/**
 * Empties the CRM tables and loads the data set, as the superuser (RLS does
 * not apply to it). Returns per-tenant counts.
 */
export async function loadDataset(db, { large = false } = {}) {
  await db.query("TRUNCATE lead, activity, outbox");
  for (const plan of large ? [...PLAN, LARGE_PLAN] : PLAN) {
    const { leads, activities } = tenantRows(plan);
    await insertRows(db, "lead", leads, 2_000);
    await insertRows(db, "activity", activities, 10_000);
  }
  await db.query("VACUUM ANALYZE lead");
  await db.query("VACUUM ANALYZE activity");
  await db.query("VACUUM ANALYZE outbox");
}

/** Reads every lead back and checks its score and activity_count against the domain's rules. */
export async function verifyDataset(db) {
  const { rows } = await db.query(`
    SELECT l.tenant_id, l.source, l.phone IS NOT NULL AS has_phone, l.company IS NOT NULL AS has_company, l.activity_count,
      (SELECT count(*)::int FROM activity a WHERE a.tenant_id = l.tenant_id AND a.lead_id = l.id) AS activities,
      l.estimated_value_minor, (l.enrichment->>'employeeCount')::int AS employee_count, l.status, l.score
    FROM lead l`);
  const problems = [];
  const perTenant = {};
  for (const r of rows) {
    const expected = scoreLead({ source: r.source, hasPhone: r.has_phone, hasCompany: r.has_company, activityCount: r.activity_count, estimatedValueMinor: r.estimated_value_minor, employeeCount: r.employee_count, status: r.status });
    if (expected !== r.score) problems.push(`score ${r.score}, rules give ${expected}`);
    if (r.activities !== r.activity_count) problems.push(`activity_count ${r.activity_count}, ${r.activities} activities`);
    const t = (perTenant[r.tenant_id] ??= { leads: 0, activities: 0, statuses: {} });
    t.leads += 1;
    t.activities += r.activities;
    t.statuses[r.status] = (t.statuses[r.status] ?? 0) + 1;
  }
  if (problems.length) throw new Error(`the seeded data breaks the domain's rules (${problems.length} problems), e.g. ${problems.slice(0, 3).join("; ")}`);
  return perTenant;
}
