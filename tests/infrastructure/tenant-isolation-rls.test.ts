import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

// Row-level security is the last line: whatever the application forgets, the
// runtime role must see no other tenant's rows, and none at all without a tenant.
const TABLES = ["lead", "activity", "outbox"];
const tenantA = randomUUID();
const tenantB = randomUUID();
let database: TestDatabase;
let admin: Client;
let app: Client;

async function seedTenant(tenantId: string): Promise<string> {
  const leadId = randomUUID();
  await admin.query(
    `INSERT INTO lead (tenant_id, id, name, email, source, status, score, version, created_at, updated_at)
     VALUES ($1, $2, 'Lead', $3, 'OTHER', 'NEW', 5, 1, now(), now())`,
    [tenantId, leadId, `${leadId}@example.com`],
  );
  await admin.query(`INSERT INTO activity (tenant_id, id, lead_id, type, summary, occurred_at, created_at) VALUES ($1, $2, $3, 'NOTE', 'n', now(), now())`, [
    tenantId, randomUUID(), leadId,
  ]);
  await admin.query(`INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, occurred_at) VALUES ($1, $2, $3, 'LeadCaptured', 1, '{}', now())`, [
    tenantId, randomUUID(), leadId,
  ]);
  return leadId;
}

async function asTenant<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
  await app.query("BEGIN");
  try {
    await app.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenantId]);
    return await work();
  } finally {
    await app.query("ROLLBACK");
  }
}

let leadOfB: string;

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new Client({ connectionString: database.adminUrl });
  app = new Client({ connectionString: database.runtimeUrl });
  await Promise.all([admin.connect(), app.connect()]);
  await seedTenant(tenantA);
  leadOfB = await seedTenant(tenantB);
});
afterAll(async () => {
  await app?.end();
  await admin?.end();
  await database?.drop();
});

describe("row-level security at the database", () => {
  it("the runtime role owns no table and bypasses nothing", async () => {
    const role = (await admin.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`, [database.runtimeRole])).rows[0];
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    const owned = await admin.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1`, [database.runtimeRole]);
    expect(owned.rows).toEqual([]);
    const flags = await admin.query(`SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY($1) ORDER BY relname`, [TABLES]);
    expect(flags.rows.every((row) => row.relrowsecurity && row.relforcerowsecurity)).toBe(true);
    expect(flags.rowCount).toBe(3);
  });

  it("with no tenant set, every table looks empty", async () => {
    for (const table of TABLES) {
      expect((await app.query(`SELECT * FROM ${table}`)).rowCount, table).toBe(0);
    }
    await asTenant("", async () => {
      for (const table of TABLES) expect((await app.query(`SELECT * FROM ${table}`)).rowCount, table).toBe(0);
    });
  });

  it("with tenant A set, only A's rows are visible", async () => {
    await asTenant(tenantA, async () => {
      for (const table of TABLES) {
        const rows = (await app.query(`SELECT tenant_id FROM ${table}`)).rows;
        expect(rows.length, table).toBe(1);
        expect(rows.every((row) => row.tenant_id === tenantA), table).toBe(true);
      }
    });
  });

  it("with tenant A set, B's rows cannot be updated, deleted or written", async () => {
    await asTenant(tenantA, async () => {
      expect((await app.query(`UPDATE lead SET name = 'hijacked' WHERE id = $1`, [leadOfB])).rowCount).toBe(0);
      expect((await app.query(`DELETE FROM activity WHERE lead_id = $1`, [leadOfB])).rowCount).toBe(0);
      expect((await app.query(`UPDATE lead SET tenant_id = $1 WHERE tenant_id = $2`, [tenantB, tenantA]).catch((e) => e)).message).toMatch(/row-level security/);
    });
    await asTenant(tenantA, async () => {
      const insert = app.query(
        `INSERT INTO lead (tenant_id, id, name, email, source, status, score, version, created_at, updated_at) VALUES ($1, $2, 'x', 'x@example.com', 'OTHER', 'NEW', 5, 1, now(), now())`,
        [tenantB, randomUUID()],
      );
      await expect(insert).rejects.toThrow(/row-level security/);
    });
    const untouched = await admin.query(`SELECT name FROM lead WHERE id = $1`, [leadOfB]);
    expect(untouched.rows[0].name).toBe("Lead");
  });

  it("the tenant setting ends with its transaction on a pooled connection", async () => {
    await app.query("BEGIN");
    await app.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenantA]);
    await app.query("COMMIT");
    expect((await app.query(`SELECT current_setting('app.current_tenant_id', true) AS setting`)).rows[0].setting).toBe("");
    expect((await app.query(`SELECT * FROM lead`)).rowCount).toBe(0);
  });

  it("the relay's functions see every tenant's outbox, for the runtime role too", async () => {
    const backlog = (await app.query(`SELECT * FROM crm_outbox_backlog()`)).rows[0];
    expect(Number(backlog.unpublished)).toBe(2);
    await app.query("BEGIN");
    try {
      const claimed = await app.query(`SELECT tenant_id FROM crm_claim_outbox(10)`);
      expect(new Set(claimed.rows.map((row) => row.tenant_id))).toEqual(new Set([tenantA, tenantB]));
    } finally {
      await app.query("ROLLBACK");
    }
  });
});
