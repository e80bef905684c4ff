import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuntimeDataModel } from "@prisma/client/runtime/client";
import ts from "typescript";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/infrastructure/prisma/migrator";
import { createPrismaClient } from "../../src/infrastructure/prisma/prisma-client";
import { ensureRuntimeRole } from "../../src/infrastructure/prisma/roles";
import { createBareDatabase, createRole, uniqueName, serverAdminUrl, urlFor, withClient, type BareDatabase, type TestRole } from "./database-fixtures";

// The project's own migration runner stands in for `prisma migrate deploy`
// (the schema engine cannot be downloaded here): it must apply
// prisma/migrations once each, record them as Prisma does, refuse edited
// history and leave a schema that matches what the generated client expects.

const root = join(__dirname, "..", "..");
const migrationsDir = join(root, "prisma", "migrations");
const generatedDir = join(root, "src", "infrastructure", "prisma", "generated");

function migrationFolders(dir = migrationsDir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
}

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

// Clean-ups run after each test even when it fails (databases first, then roles).
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function bareDatabase(): Promise<BareDatabase> {
  const database = await createBareDatabase();
  cleanups.push(() => database.drop());
  return database;
}

async function role(prefix: string, attributes: string): Promise<TestRole> {
  const created = await createRole(prefix, attributes);
  cleanups.unshift(() => created.drop()); // unshift + reverse: roles are dropped after the databases
  return created;
}

function tempMigrationsCopy(): string {
  const copy = mkdtempSync(join(tmpdir(), "crm-migrations-"));
  cleanups.push(async () => rmSync(copy, { recursive: true, force: true }));
  cpSync(migrationsDir, copy, { recursive: true });
  return copy;
}

async function recorded(url: string) {
  return withClient(url, async (client) =>
    (await client.query(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`)).rows,
  );
}

/** A cheap fingerprint of the schema: every relation, column, constraint, policy and function in public. */
async function schemaFingerprint(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const parts = [];
    for (const sql of [
      `SELECT relname, relkind FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1`,
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2`,
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1`,
      `SELECT polname, pg_get_expr(polqual, polrelid) AS qual, relacl::text FROM pg_policy JOIN pg_class ON pg_class.oid = polrelid ORDER BY 1`,
      `SELECT proname, md5(prosrc) AS src, proacl::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1`,
    ]) {
      parts.push((await client.query(sql)).rows);
    }
    return JSON.stringify(parts);
  });
}

describe("migrate()", () => {
  it("applies every migration folder once, in order; a second run applies nothing and changes nothing", async () => {
    const database = await bareDatabase();
    const logged: string[] = [];
    const first = await migrate({ migrationUrl: database.adminUrl, log: (line) => logged.push(line) });
    expect(first.applied).toEqual(migrationFolders());
    expect(logged).toEqual(migrationFolders().map((name) => `applied migration ${name}`));
    const rowsAfterFirst = await recorded(database.adminUrl);
    const schemaAfterFirst = await schemaFingerprint(database.adminUrl);

    const second = await migrate({ migrationUrl: database.adminUrl });
    expect(second.applied).toEqual([]);
    expect(await recorded(database.adminUrl)).toEqual(rowsAfterFirst);
    expect(await schemaFingerprint(database.adminUrl)).toBe(schemaAfterFirst);
  });

  it("records each migration in _prisma_migrations as `prisma migrate deploy` does", async () => {
    const database = await bareDatabase();
    const before = new Date();
    await migrate({ migrationUrl: database.adminUrl });
    const rows = await recorded(database.adminUrl);
    expect(rows.map((row) => row.migration_name)).toEqual(migrationFolders());
    for (const row of rows) {
      const name = row.migration_name;
      expect(row.checksum, name).toMatch(/^[0-9a-f]{64}$/);
      expect(row.checksum, name).toBe(sha256(join(migrationsDir, name, "migration.sql")));
      expect(row.id, name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row.finished_at, name).toBeInstanceOf(Date);
      expect(row.started_at, name).toBeInstanceOf(Date);
      expect(row.finished_at.getTime(), name).toBeGreaterThanOrEqual(before.getTime() - 5_000);
      expect(row.applied_steps_count, name).toBe(1);
      expect(row.rolled_back_at, name).toBeNull();
      expect(row.logs, name).toBeNull();
    }
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
  });

  it("creates _prisma_migrations with exactly the columns, types, nullability, defaults and key Prisma's schema engine uses", async () => {
    const database = await bareDatabase();
    await migrate({ migrationUrl: database.adminUrl });
    const columns = await withClient(database.adminUrl, async (client) =>
      (
        await client.query(
          `SELECT column_name, data_type, character_maximum_length AS max_length, is_nullable, column_default
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
        )
      ).rows,
    );
    // The PostgreSQL table of prisma-engines' schema connector (migrate deploy / dev / resolve).
    expect(columns).toEqual([
      { column_name: "id", data_type: "character varying", max_length: 36, is_nullable: "NO", column_default: null },
      { column_name: "checksum", data_type: "character varying", max_length: 64, is_nullable: "NO", column_default: null },
      { column_name: "finished_at", data_type: "timestamp with time zone", max_length: null, is_nullable: "YES", column_default: null },
      { column_name: "migration_name", data_type: "character varying", max_length: 255, is_nullable: "NO", column_default: null },
      { column_name: "logs", data_type: "text", max_length: null, is_nullable: "YES", column_default: null },
      { column_name: "rolled_back_at", data_type: "timestamp with time zone", max_length: null, is_nullable: "YES", column_default: null },
      { column_name: "started_at", data_type: "timestamp with time zone", max_length: null, is_nullable: "NO", column_default: "now()" },
      { column_name: "applied_steps_count", data_type: "integer", max_length: null, is_nullable: "NO", column_default: "0" },
    ]);
    const primaryKey = await withClient(database.adminUrl, async (client) =>
      (
        await client.query(
          `SELECT array_agg(a.attname::text ORDER BY a.attnum) AS columns FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
           WHERE c.conrelid = '"_prisma_migrations"'::regclass AND c.contype = 'p'`,
        )
      ).rows[0].columns,
    );
    expect(primaryKey).toEqual(["id"]);
  });

  it("applies only a migration added later, and takes Prisma's advisory lock so concurrent runs apply each migration once", async () => {
    const database = await bareDatabase();
    const copy = tempMigrationsCopy();
    const runs = await Promise.all([
      migrate({ migrationUrl: database.adminUrl, migrationsDir: copy }),
      migrate({ migrationUrl: database.adminUrl, migrationsDir: copy }),
    ]);
    expect(runs.map((run) => run.applied.length).sort()).toEqual([0, migrationFolders().length]);
    expect((await recorded(database.adminUrl)).length).toBe(migrationFolders().length);

    const added = "29991231000000_added_later";
    mkdirSync(join(copy, added));
    writeFileSync(join(copy, added, "migration.sql"), `CREATE TABLE "added_later" ("tenant_id" UUID NOT NULL, "id" UUID NOT NULL, PRIMARY KEY ("tenant_id", "id"));\n`);
    expect(await migrate({ migrationUrl: database.adminUrl, migrationsDir: copy })).toEqual({ applied: [added] });
    const rows = await recorded(database.adminUrl);
    expect(rows.map((row) => row.migration_name)).toEqual([...migrationFolders(), added]);
    expect(rows.at(-1).checksum).toBe(sha256(join(copy, added, "migration.sql")));
  });

  it("refuses a migration whose file changed after it was applied, naming it, and applies nothing after it", async () => {
    const database = await bareDatabase();
    const copy = tempMigrationsCopy();
    expect((await migrate({ migrationUrl: database.adminUrl, migrationsDir: copy })).applied).toEqual(migrationFolders());
    const rowsBefore = await recorded(database.adminUrl);

    const edited = migrationFolders(copy)[1] ?? migrationFolders(copy)[0];
    appendFileSync(join(copy, edited, "migration.sql"), "\n-- an innocent-looking comment added afterwards\n");
    const added = "29991231000000_after_the_edit";
    mkdirSync(join(copy, added));
    writeFileSync(join(copy, added, "migration.sql"), `CREATE TABLE "must_not_exist" ("id" INTEGER);\n`);

    const refusal = migrate({ migrationUrl: database.adminUrl, migrationsDir: copy });
    await expect(refusal).rejects.toThrow(edited);
    await expect(refusal).rejects.toThrow(/changed after it was applied/);
    expect(await recorded(database.adminUrl)).toEqual(rowsBefore);
    const table = await withClient(database.adminUrl, (client) => client.query(`SELECT to_regclass('public.must_not_exist') AS oid`));
    expect(table.rows[0].oid).toBeNull();

    // The same edit, undone: accepted again (the check is on content, not on timestamps).
    cpSync(join(migrationsDir, edited, "migration.sql"), join(copy, edited, "migration.sql"));
    expect((await migrate({ migrationUrl: database.adminUrl, migrationsDir: copy })).applied).toEqual([added]);
  });

  it("rolls back a migration that fails, records nothing for it and names it", async () => {
    const database = await bareDatabase();
    const copy = tempMigrationsCopy();
    const broken = "29991231000000_broken";
    mkdirSync(join(copy, broken));
    writeFileSync(join(copy, broken, "migration.sql"), `CREATE TABLE "half_done" ("id" INTEGER);\nSELECT 1 / 0;\n`);
    await expect(migrate({ migrationUrl: database.adminUrl, migrationsDir: copy })).rejects.toThrow(new RegExp(`${broken}.*division by zero`));
    const rows = await recorded(database.adminUrl);
    expect(rows.map((row) => row.migration_name)).toEqual(migrationFolders());
    const table = await withClient(database.adminUrl, (client) => client.query(`SELECT to_regclass('public.half_done') AS oid`));
    expect(table.rows[0].oid).toBeNull();
  });
});

describe("the runtime role", () => {
  it("is granted what the service needs and nothing that would let it escape row-level security", async () => {
    const database = await bareDatabase();
    const runtime = await role("crm_rt", "NOSUPERUSER NOBYPASSRLS");
    await migrate({ migrationUrl: database.adminUrl, runtimeUrl: runtime.urlOn(database.name) });
    const privileges = await withClient(database.adminUrl, async (client) => {
      const tables = await client.query(
        `SELECT t AS table_name,
           has_table_privilege($1, t, 'SELECT') AS sel, has_table_privilege($1, t, 'INSERT') AS ins,
           has_table_privilege($1, t, 'UPDATE') AS upd, has_table_privilege($1, t, 'DELETE') AS del,
           has_table_privilege($1, t, 'TRUNCATE') AS trunc, has_table_privilege($1, t, 'REFERENCES') AS refs,
           has_table_privilege($1, t, 'TRIGGER') AS trig
         FROM unnest(ARRAY['lead', 'activity', 'outbox']) AS t ORDER BY t`,
        [runtime.name],
      );
      const migrations = await client.query(
        `SELECT has_table_privilege($1, '"_prisma_migrations"', 'SELECT') AS sel,
           has_table_privilege($1, '"_prisma_migrations"', 'INSERT,UPDATE,DELETE,TRUNCATE') AS write`,
        [runtime.name],
      );
      const createInPublic = await client.query(`SELECT has_schema_privilege($1, 'public', 'CREATE') AS create`, [runtime.name]);
      return { tables: tables.rows, migrations: migrations.rows[0], createInPublic: createInPublic.rows[0].create };
    });
    for (const table of privileges.tables) {
      expect(table, table.table_name).toEqual({ table_name: table.table_name, sel: true, ins: true, upd: true, del: true, trunc: false, refs: false, trig: false });
    }
    // Read only: the service checks at start that the database is migrated (migration-check.ts).
    expect(privileges.migrations).toEqual({ sel: true, write: false });
    expect(privileges.createInPublic).toBe(false);
  });

  for (const attribute of ["SUPERUSER", "BYPASSRLS"]) {
    it(`is refused when it is ${attribute}, before anything is granted to it`, async () => {
      const database = await bareDatabase();
      const dangerous = await role("crm_bad", attribute);
      const refusal = migrate({ migrationUrl: database.adminUrl, runtimeUrl: dangerous.urlOn(database.name) });
      await expect(refusal).rejects.toThrow(dangerous.name);
      await expect(refusal).rejects.toThrow(/neither SUPERUSER nor BYPASSRLS/);
      const granted = await withClient(database.adminUrl, (client) =>
        client.query(`SELECT count(*)::int AS n FROM information_schema.role_table_grants WHERE grantee = $1`, [dangerous.name]),
      );
      expect(granted.rows[0].n).toBe(0);
    });
  }

  it("is refused when it does not exist", async () => {
    const database = await bareDatabase();
    const missing = uniqueName("crm_missing");
    await expect(
      migrate({ migrationUrl: database.adminUrl, runtimeUrl: urlFor(serverAdminUrl(), database.name, missing, "x") }),
    ).rejects.toThrow(new RegExp(`${missing} .*does not exist`));
  });

  it("ensureRuntimeRole creates a login role with no SUPERUSER, BYPASSRLS, CREATEDB or CREATEROLE, and takes those away from an existing one", async () => {
    const existing = await role("crm_ensure", "SUPERUSER BYPASSRLS CREATEDB CREATEROLE");
    await ensureRuntimeRole(serverAdminUrl(), existing.name, "secret");
    const fresh = uniqueName("crm_ensure");
    cleanups.unshift(() => withClient(serverAdminUrl(), (client) => client.query(`DROP ROLE IF EXISTS ${fresh}`)));
    await ensureRuntimeRole(serverAdminUrl(), fresh);
    const roles = await withClient(serverAdminUrl(), async (client) =>
      (
        await client.query(
          `SELECT rolname, rolcanlogin, rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
          [[existing.name, fresh]],
        )
      ).rows,
    );
    expect(roles).toHaveLength(2);
    for (const row of roles) {
      expect(row, row.rolname).toEqual({ rolname: row.rolname, rolcanlogin: true, rolsuper: false, rolbypassrls: false, rolcreatedb: false, rolcreaterole: false });
    }
  });
});

// --- schema.prisma (through the generated client) against the migrated database ---

interface GeneratedField {
  name: string;
  column: string;
  type: string;
  nullable: boolean;
  list: boolean;
}

/** Models, tables and scalar fields as the generated client's runtime data model has them. */
async function runtimeDataModel(url: string): Promise<RuntimeDataModel> {
  const client = createPrismaClient(url);
  try {
    const model = (client as unknown as { _runtimeDataModel?: RuntimeDataModel })._runtimeDataModel;
    if (!model) throw new Error("the generated PrismaClient no longer carries _runtimeDataModel: find the data model elsewhere");
    return model;
  } finally {
    await client.$disconnect();
  }
}

/**
 * Nullability and lists, which the runtime data model leaves out: read from the
 * generated payload type (`$LeadPayload.scalars`: `phone: string | null`, `tags: string[]`).
 */
function generatedScalarTypes(model: string): Map<string, { nullable: boolean; list: boolean }> {
  const file = join(generatedDir, "models", `${model}.ts`);
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const result = new Map<string, { nullable: boolean; list: boolean }>();
  const visit = (node: ts.Node): void => {
    if (ts.isTypeAliasDeclaration(node) && node.name.text === `$${model}Payload` && ts.isTypeLiteralNode(node.type)) {
      const scalars = node.type.members.find((member) => member.name?.getText(source) === "scalars");
      if (!scalars || !ts.isPropertySignature(scalars) || !scalars.type || !ts.isTypeReferenceNode(scalars.type)) return;
      const literal = scalars.type.typeArguments?.[0];
      if (!literal || !ts.isTypeLiteralNode(literal)) return;
      for (const member of literal.members) {
        if (!ts.isPropertySignature(member) || !member.type) continue;
        const type = member.type;
        const nullable = ts.isUnionTypeNode(type) && type.types.some((part) => ts.isLiteralTypeNode(part) && part.literal.kind === ts.SyntaxKind.NullKeyword);
        result.set(member.name.getText(source), { nullable, list: ts.isArrayTypeNode(type) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (result.size === 0) throw new Error(`no $${model}Payload scalars found in ${file}: the generated client changed shape`);
  return result;
}

/** PostgreSQL types (udt_name) a Prisma scalar may map to (native types such as @db.Uuid included). */
const COMPATIBLE_TYPES: Record<string, string[]> = {
  String: ["text", "varchar", "bpchar", "uuid"],
  Int: ["int4"],
  BigInt: ["int8"],
  Boolean: ["bool"],
  DateTime: ["timestamptz", "timestamp"],
  Json: ["jsonb", "json"],
  Float: ["float8"],
  Decimal: ["numeric"],
};

describe("schema.prisma and the migrations", () => {
  let database: BareDatabase;
  let models: Map<string, { table: string; fields: GeneratedField[] }>;

  beforeAll(async () => {
    database = await createBareDatabase();
    await migrate({ migrationUrl: database.adminUrl });
    const dataModel = await runtimeDataModel(database.adminUrl);
    models = new Map();
    for (const [model, definition] of Object.entries(dataModel.models)) {
      const types = generatedScalarTypes(model);
      const fields = definition.fields
        .filter((field) => field.kind === "scalar" || field.kind === "enum")
        .map((field) => {
          const type = types.get(field.name);
          if (!type) throw new Error(`${model}.${field.name} is in the runtime data model but not in $${model}Payload`);
          return { name: field.name, column: field.dbName ?? field.name, type: field.type, ...type };
        });
      expect(fields.map((field) => field.name).sort(), `${model} scalars`).toEqual([...types.keys()].sort());
      models.set(model, { table: definition.dbName ?? model, fields });
    }
  });
  afterAll(() => database?.drop());

  async function columnsOf(table: string) {
    return withClient(database.adminUrl, async (client) =>
      (
        await client.query(
          `SELECT column_name, is_nullable = 'YES' AS nullable, data_type, udt_name
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
          [table],
        )
      ).rows as { column_name: string; nullable: boolean; data_type: string; udt_name: string }[],
    );
  }

  it("the generated client describes the CRM models (and the reading of it is not vacuous)", () => {
    expect([...models.keys()].sort()).toEqual(["Activity", "IdempotencyRecord", "Lead", "OutboxEvent"]);
    const lead = new Map(models.get("Lead")!.fields.map((field) => [field.name, field]));
    expect(lead.get("tenantId")).toEqual({ name: "tenantId", column: "tenant_id", type: "String", nullable: false, list: false });
    expect(lead.get("phone")).toMatchObject({ column: "phone", nullable: true, list: false });
    expect(lead.get("tags")).toMatchObject({ column: "tags", nullable: false, list: true });
    expect(lead.has("activities")).toBe(false); // relation fields are not columns
    expect(Object.fromEntries([...models].map(([model, { table }]) => [model, table]))).toEqual({ Lead: "lead", Activity: "activity", OutboxEvent: "outbox", IdempotencyRecord: "idempotency_record" });
  });

  it("every model's scalar field has its column, with the nullability and a type the client can read", async () => {
    const problems: string[] = [];
    for (const [model, { table, fields }] of models) {
      const columns = new Map((await columnsOf(table)).map((column) => [column.column_name, column]));
      if (columns.size === 0) problems.push(`${model}: table ${table} does not exist`);
      for (const field of fields) {
        const column = columns.get(field.column);
        const where = `${model}.${field.name} (${table}.${field.column})`;
        if (!column) {
          problems.push(`${where}: no such column`);
          continue;
        }
        if (field.list) {
          // Prisma's own migrations create scalar lists as nullable arrays (`TEXT[]`): only the array-ness is checked.
          if (column.data_type !== "ARRAY") problems.push(`${where}: a list in the client, ${column.data_type} in the database`);
          if (!COMPATIBLE_TYPES[field.type]?.includes(column.udt_name.replace(/^_/, ""))) problems.push(`${where}: ${field.type}[] vs ${column.udt_name}`);
          continue;
        }
        if (column.nullable !== field.nullable) {
          problems.push(`${where}: ${field.nullable ? "optional" : "required"} in the client, ${column.nullable ? "NULL" : "NOT NULL"} in the database`);
        }
        if (!COMPATIBLE_TYPES[field.type]?.includes(column.udt_name)) problems.push(`${where}: ${field.type} vs ${column.udt_name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("no table has a column the client does not know (an unknown NOT NULL column would break every create)", async () => {
    const problems: string[] = [];
    for (const [model, { table, fields }] of models) {
      const known = new Set(fields.map((field) => field.column));
      for (const column of await columnsOf(table)) if (!known.has(column.column_name)) problems.push(`${table}.${column.column_name} (${model})`);
    }
    expect(problems).toEqual([]);
  });
});
