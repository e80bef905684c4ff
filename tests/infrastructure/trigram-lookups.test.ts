import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, withClient, type TestDatabase } from "../support/test-database";

// The SECURITY DEFINER lookups of migration 20261129000200: they serve search and
// duplicate candidates from the trigram indexes, which RLS keeps from the runtime
// role's own queries. They read the tenant from the transaction, like the policies.
let database: TestDatabase;
const tenantA = randomUUID();
const tenantB = randomUUID();
const ids: Record<string, string> = {};

async function asRuntime<T>(tenantId: string | null, work: (q: (sql: string, values?: unknown[]) => Promise<any[]>) => Promise<T>): Promise<T> {
  return withClient(database.runtimeUrl, async (client) => {
    await client.query("BEGIN");
    try {
      if (tenantId) await client.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenantId]);
      return await work(async (sql, values) => (await client.query(sql, values)).rows);
    } finally {
      await client.query("ROLLBACK");
    }
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  await withClient(database.adminUrl, async (db) => {
    const insert = async (key: string, tenant: string, name: string, email: string, company: string | null, phone: string | null) => {
      ids[key] = randomUUID();
      await db.query(
        `INSERT INTO lead (tenant_id, id, name, email, company, phone, source, status, score, tags, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'IMPORT', 'NEW', 5, '{}', 1, now(), now())`,
        [tenant, ids[key], name, email, company, phone],
      );
    };
    await insert("a1", tenantA, "Grace Hopper", "grace@navy.example", "Navy Labs", "+14155550100");
    await insert("a2", tenantA, "Grace Hoppe", "g.hoppe@other.example", null, null);
    await insert("b1", tenantB, "Grace Hopper", "grace@navy.example", "Navy Labs", "+14155550100");
  });
});
afterAll(() => database?.drop());

describe("trigram lookups under row-level security", () => {
  it("crm_search_lead_ids finds the transaction tenant's matches only, up to the cap, and nothing without a tenant", async () => {
    const found = await asRuntime(tenantA, (q) => q(`SELECT id FROM crm_search_lead_ids('%grace%', 10)`));
    expect(found.map((r) => r.id).sort()).toEqual([ids.a1, ids.a2].sort());
    expect(await asRuntime(tenantA, (q) => q(`SELECT id FROM crm_search_lead_ids('%navy lab%', 10)`))).toEqual([{ id: ids.a1 }]);
    expect(await asRuntime(tenantA, (q) => q(`SELECT id FROM crm_search_lead_ids('%grace%', 1)`))).toHaveLength(1);
    expect(await asRuntime(tenantB, (q) => q(`SELECT id FROM crm_search_lead_ids('%grace%', 10)`))).toEqual([{ id: ids.b1 }]);
    expect(await asRuntime(null, (q) => q(`SELECT id FROM crm_search_lead_ids('%grace%', 10)`))).toEqual([]);
  });

  it("crm_duplicate_candidate_ids preselects on name, company, phone and mail domain, in the tenant only", async () => {
    const byName = await asRuntime(tenantA, (q) => q(`SELECT id FROM crm_duplicate_candidate_ids('Grace Hopper', NULL, NULL, NULL)`));
    expect(byName.map((r) => r.id).sort()).toEqual([ids.a1, ids.a2].sort());
    const byPhone = await asRuntime(tenantA, (q) => q(`SELECT id FROM crm_duplicate_candidate_ids('zzzz', NULL, '+14155550100', NULL)`));
    expect(byPhone).toEqual([{ id: ids.a1 }]);
    const byDomain = await asRuntime(tenantA, (q) => q(`SELECT id FROM crm_duplicate_candidate_ids('zzzz', NULL, NULL, 'other.example')`));
    expect(byDomain).toEqual([{ id: ids.a2 }]);
    const byCompany = await asRuntime(tenantB, (q) => q(`SELECT id FROM crm_duplicate_candidate_ids('zzzz', 'navy labs', NULL, NULL)`));
    expect(byCompany).toEqual([{ id: ids.b1 }]);
    expect(await asRuntime(null, (q) => q(`SELECT id FROM crm_duplicate_candidate_ids('Grace Hopper', 'Navy Labs', '+14155550100', 'navy.example')`))).toEqual([]);
  });

  it("the runtime role may only execute them: the lead table stays fenced by RLS", async () => {
    const direct = await asRuntime(tenantA, (q) => q(`SELECT id FROM lead WHERE name ILIKE '%grace%'`));
    expect(direct.map((r) => r.id).sort()).toEqual([ids.a1, ids.a2].sort());
  });

  it("the trigram indexes exist on lower(name), email and lower(company), with the phone index", async () => {
    const indexes = await withClient(database.adminUrl, async (db) =>
      (await db.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'lead' AND indexdef LIKE '%trgm%' OR indexname IN ('lead_tenant_id_phone_idx', 'lead_tenant_id_email_domain_idx') ORDER BY indexname`)).rows,
    );
    expect(indexes.map((i) => i.indexname)).toEqual(["lead_company_trgm_idx", "lead_email_trgm_idx", "lead_name_trgm_idx", "lead_tenant_id_email_domain_idx", "lead_tenant_id_phone_idx"]);
    expect(indexes[0].indexdef).toContain("lower(company) gin_trgm_ops");
    expect(indexes[2].indexdef).toContain("lower(name) gin_trgm_ops");
  });
});
