import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

// Citus distributes a table by tenant_id only if every key, foreign key and
// unique index includes it: checked on the real catalog after migrating.
let database: TestDatabase;
let admin: Client;

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new Client({ connectionString: database.adminUrl });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await database?.drop();
});

async function tenantTables(): Promise<string[]> {
  const rows = await admin.query(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name`,
  );
  return rows.rows.map((row) => row.table_name);
}

describe("tenant-first keys", () => {
  it("covers every tenant table", async () => {
    expect(await tenantTables()).toEqual(["activity", "lead", "outbox"]);
  });

  it("every primary key starts with tenant_id", async () => {
    const offenders = await admin.query(`
      SELECT c.conrelid::regclass::text AS table_name, a.attname AS first_column
      FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'p' AND c.conrelid::regclass::text = ANY($1) AND a.attname <> 'tenant_id'`, [await tenantTables()]);
    expect(offenders.rows).toEqual([]);
    const keys = await admin.query(`SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'p' AND conrelid::regclass::text = ANY($1)`, [await tenantTables()]);
    expect(keys.rows[0].n).toBe(3);
  });

  it("every foreign key carries tenant_id on both sides", async () => {
    const fks = await admin.query(`
      SELECT c.conname,
        (SELECT array_agg(a.attname::text) FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)) AS columns,
        (SELECT array_agg(a.attname::text) FROM pg_attribute a WHERE a.attrelid = c.confrelid AND a.attnum = ANY(c.confkey)) AS referenced
      FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY($1)`, [await tenantTables()]);
    expect(fks.rows.length).toBeGreaterThan(0);
    for (const fk of fks.rows) {
      expect(fk.columns, fk.conname).toContain("tenant_id");
      expect(fk.referenced, fk.conname).toContain("tenant_id");
    }
  });

  it("every unique index starts with tenant_id", async () => {
    const offenders = await admin.query(`
      SELECT i.indexrelid::regclass::text AS index_name
      FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
      WHERE i.indisunique AND i.indrelid::regclass::text = ANY($1) AND a.attname <> 'tenant_id'`, [await tenantTables()]);
    expect(offenders.rows).toEqual([]);
  });

  it("the activity foreign key is indexed for the cascade", async () => {
    const index = await admin.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'activity' AND indexdef LIKE '%(tenant_id, lead_id%'`);
    expect(index.rowCount).toBe(1);
  });
});
