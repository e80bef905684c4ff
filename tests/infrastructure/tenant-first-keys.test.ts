import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

// The catalog check a future Citus distribution needs (docs/domain.md, "Tenancy"):
// a table distributed by tenant_id must have tenant_id in its primary key, in
// both sides of every foreign key, and in every unique index. Here we ask for
// more, as the schema promises: tenant_id first in keys and unique indexes,
// and foreign keys pairing tenant_id with tenant_id. Read from pg_catalog after
// migrating; the offenders are listed by name.

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

/** Tables (ordinary or partitioned) of schema public with a live tenant_id column. */
async function tenantTables(client: Client): Promise<string[]> {
  const rows = await client.query(
    `SELECT c.relname FROM pg_class c
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped AND a.attnum > 0
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
     ORDER BY c.relname`,
  );
  return rows.rows.map((row) => row.relname);
}

/** Every violation of the tenant-first rules in schema public, one line each. */
async function tenantFirstOffenders(client: Client): Promise<string[]> {
  const tables = await tenantTables(client);
  const offenders: string[] = [];

  // Primary keys: present, tenant_id first.
  const primaryKeys = await client.query(
    `SELECT c.relname AS table_name, k.conname,
       ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS key(attnum, position)
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = key.attnum ORDER BY key.position) AS columns
     FROM pg_class c LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p'
     WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY($1)`,
    [tables],
  );
  for (const row of primaryKeys.rows) {
    if (!row.conname) offenders.push(`${row.table_name}: no primary key`);
    else if (row.columns[0] !== "tenant_id") offenders.push(`${row.table_name}: primary key ${row.conname} (${row.columns.join(", ")}) does not start with tenant_id`);
  }

  // Foreign keys from or to a tenant table: tenant_id on both sides, referencing tenant_id.
  const foreignKeys = await client.query(
    `SELECT k.conname, k.conrelid::regclass::text AS table_name, k.confrelid::regclass::text AS referenced_table,
       ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS key(attnum, position)
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = key.attnum ORDER BY key.position) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS key(attnum, position)
             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = key.attnum ORDER BY key.position) AS referenced
     FROM pg_constraint k
     WHERE k.contype = 'f' AND (k.conrelid::regclass::text = ANY($1) OR k.confrelid::regclass::text = ANY($1))`,
    [tables],
  );
  for (const fk of foreignKeys.rows) {
    const where = `${fk.table_name}: foreign key ${fk.conname} (${fk.columns.join(", ")}) -> ${fk.referenced_table} (${fk.referenced.join(", ")})`;
    const position = fk.columns.indexOf("tenant_id");
    if (position < 0) offenders.push(`${where} lacks tenant_id on the referencing side`);
    if (!fk.referenced.includes("tenant_id")) offenders.push(`${where} lacks tenant_id on the referenced side`);
    if (position >= 0 && fk.referenced.includes("tenant_id") && fk.referenced[position] !== "tenant_id") {
      offenders.push(`${where} pairs tenant_id with ${fk.referenced[position]}`);
    }
  }

  // Unique indexes (which back primary keys and unique constraints too): tenant_id first.
  // An expression in first position (indkey[0] = 0) has no attribute: an offender as well.
  const uniqueIndexes = await client.query(
    `SELECT i.indexrelid::regclass::text AS index_name, i.indrelid::regclass::text AS table_name,
       a.attname AS first_column, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index i
     JOIN pg_class t ON t.oid = i.indrelid
     LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] AND i.indkey[0] <> 0
     WHERE i.indisunique AND t.relnamespace = 'public'::regnamespace AND t.relname = ANY($1)`,
    [tables],
  );
  for (const index of uniqueIndexes.rows) {
    if (index.first_column !== "tenant_id") offenders.push(`${index.table_name}: unique index ${index.index_name} does not start with tenant_id: ${index.definition}`);
  }
  return offenders.sort();
}

describe("tenant-first keys (Citus-ready)", () => {
  it("the check covers every CRM table (so a pass is not vacuous)", async () => {
    expect(await tenantTables(admin)).toEqual(["activity", "idempotency_record", "lead", "outbox"]);
    const counts = await admin.query(
      `SELECT
         (SELECT count(*)::int FROM pg_constraint WHERE contype = 'p' AND conrelid::regclass::text = ANY($1)) AS primary_keys,
         (SELECT count(*)::int FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY($1)) AS foreign_keys,
         (SELECT count(*)::int FROM pg_index WHERE indisunique AND indrelid::regclass::text = ANY($1)) AS unique_indexes`,
      [await tenantTables(admin)],
    );
    // 4 primary keys, activity -> lead, and lead (tenant_id, email) beside the 4 primary-key indexes.
    expect(counts.rows[0]).toEqual({ primary_keys: 4, foreign_keys: 1, unique_indexes: 5 });
  });

  it("every primary key starts with tenant_id, every foreign key carries it on both sides, every unique index starts with it", async () => {
    expect(await tenantFirstOffenders(admin)).toEqual([]);
  });

  it("the check names the offenders of a schema that breaks each rule (on tables rolled back afterwards)", async () => {
    await admin.query("BEGIN");
    try {
      await admin.query(`CREATE TABLE "bad_keyless" ("tenant_id" UUID NOT NULL, "id" UUID NOT NULL)`);
      await admin.query(`CREATE TABLE "bad_parent" ("tenant_id" UUID NOT NULL, "id" UUID NOT NULL, "code" TEXT, PRIMARY KEY ("id", "tenant_id"))`);
      await admin.query(`CREATE UNIQUE INDEX "bad_parent_id_key" ON "bad_parent" ("id")`);
      await admin.query(`CREATE UNIQUE INDEX "bad_parent_code_key" ON "bad_parent" (lower("code"), "tenant_id")`);
      await admin.query(
        `CREATE TABLE "bad_child" ("tenant_id" UUID NOT NULL, "id" UUID NOT NULL, "parent_id" UUID NOT NULL, PRIMARY KEY ("tenant_id", "id"),
           CONSTRAINT "bad_child_parent_fkey" FOREIGN KEY ("parent_id") REFERENCES "bad_parent" ("id"))`,
      );
      await admin.query(
        `ALTER TABLE "bad_child" ADD CONSTRAINT "bad_child_crossed_fkey" FOREIGN KEY ("tenant_id", "parent_id") REFERENCES "bad_parent" ("id", "tenant_id")`,
      );
      const offenders = await tenantFirstOffenders(admin);
      expect(offenders).toEqual([
        'bad_child: foreign key bad_child_crossed_fkey (tenant_id, parent_id) -> bad_parent (id, tenant_id) pairs tenant_id with id',
        'bad_child: foreign key bad_child_parent_fkey (parent_id) -> bad_parent (id) lacks tenant_id on the referenced side',
        'bad_child: foreign key bad_child_parent_fkey (parent_id) -> bad_parent (id) lacks tenant_id on the referencing side',
        "bad_keyless: no primary key",
        "bad_parent: primary key bad_parent_pkey (id, tenant_id) does not start with tenant_id",
        'bad_parent: unique index bad_parent_code_key does not start with tenant_id: CREATE UNIQUE INDEX bad_parent_code_key ON public.bad_parent USING btree (lower(code), tenant_id)',
        'bad_parent: unique index bad_parent_id_key does not start with tenant_id: CREATE UNIQUE INDEX bad_parent_id_key ON public.bad_parent USING btree (id)',
        'bad_parent: unique index bad_parent_pkey does not start with tenant_id: CREATE UNIQUE INDEX bad_parent_pkey ON public.bad_parent USING btree (id, tenant_id)',
      ]);
    } finally {
      await admin.query("ROLLBACK");
    }
    expect(await tenantTables(admin)).toEqual(["activity", "idempotency_record", "lead", "outbox"]);
  });

  it("the foreign key activity -> lead is backed by an index starting (tenant_id, lead_id), so a lead's delete cascade does not scan", async () => {
    const indexes = await admin.query(
      `SELECT i.indexrelid::regclass::text AS index_name FROM pg_index i
       WHERE i.indrelid = 'activity'::regclass
         AND (SELECT array_agg(a.attname::text ORDER BY k.position) FROM unnest(i.indkey[0:1]) WITH ORDINALITY AS k(attnum, position)
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) = ARRAY['tenant_id', 'lead_id']`,
    );
    expect(indexes.rows.length).toBeGreaterThan(0);
  });
});
