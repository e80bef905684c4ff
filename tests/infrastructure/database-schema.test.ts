import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/infrastructure/prisma/migrator";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

const root = join(__dirname, "..", "..");
const migrationsDir = join(root, "prisma", "migrations");
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

/** Model -> fields with their columns and whether schema.prisma makes them optional. */
function prismaModels(): Map<string, { table: string; columns: { column: string; optional: boolean; list: boolean }[] }> {
  const source = readFileSync(join(root, "prisma", "schema.prisma"), "utf8");
  const models = new Map<string, { table: string; columns: { column: string; optional: boolean; list: boolean }[] }>();
  for (const match of source.matchAll(/model (\w+) \{([\s\S]*?)\n\}/g)) {
    const [, model, body] = match;
    const table = /@@map\("(\w+)"\)/.exec(body)?.[1] ?? model;
    const columns = [];
    for (const line of body.split("\n")) {
      const field = /^\s+(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!field || ["Lead", "Activity", "OutboxEvent"].includes(field[2])) continue;
      const column = /@map\("(\w+)"\)/.exec(field[5])?.[1] ?? field[1];
      columns.push({ column, optional: Boolean(field[4]), list: Boolean(field[3]) });
    }
    models.set(model, { table, columns });
  }
  return models;
}

describe("migrations", () => {
  it("are recorded in _prisma_migrations as prisma migrate deploy records them", async () => {
    const folders = readdirSync(migrationsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    const rows = (await admin.query(`SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name`)).rows;
    expect(rows.map((row) => row.migration_name)).toEqual(folders);
    for (const row of rows) {
      const bytes = readFileSync(join(migrationsDir, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.rolled_back_at).toBeNull();
    }
    const columns = (await admin.query(`SELECT column_name FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`)).rows;
    expect(columns.map((c) => c.column_name)).toEqual([
      "id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count",
    ]);
  });

  it("run again apply nothing (idempotent)", async () => {
    expect(await migrate({ migrationUrl: database.adminUrl, runtimeUrl: database.runtimeUrl })).toEqual({ applied: [] });
  });

  it("refuse a migration edited after it was applied", async () => {
    const copy = mkdtempSync(join(tmpdir(), "crm-migrations-"));
    try {
      cpSync(migrationsDir, copy, { recursive: true });
      const first = readdirSync(copy).filter((name) => name !== "migration_lock.toml").sort()[0];
      appendFileSync(join(copy, first, "migration.sql"), "\n-- edited afterwards\n");
      await expect(migrate({ migrationUrl: database.adminUrl, migrationsDir: copy })).rejects.toThrow(first);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("refuse a runtime role that is a superuser or bypasses RLS", async () => {
    const role = `crm_bypass_${Date.now()}`;
    await admin.query(`CREATE ROLE ${role} LOGIN BYPASSRLS`);
    try {
      const url = new URL(database.adminUrl);
      url.username = role;
      await expect(migrate({ migrationUrl: database.adminUrl, runtimeUrl: url.toString() })).rejects.toThrow(/BYPASSRLS/);
    } finally {
      await admin.query(`DROP ROLE ${role}`);
    }
  });

  it("agree with schema.prisma: every model's table and column exists with its nullability", async () => {
    const models = prismaModels();
    expect([...models.keys()].sort()).toEqual(["Activity", "Lead", "OutboxEvent"]);
    for (const { table, columns } of models.values()) {
      const actual = new Map(
        (await admin.query(`SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`, [table])).rows.map(
          (row) => [row.column_name, row.is_nullable === "YES"],
        ),
      );
      expect(actual.size, table).toBe(columns.length);
      for (const { column, optional, list } of columns) {
        expect(actual.has(column), `${table}.${column}`).toBe(true);
        if (!list) expect(actual.get(column), `${table}.${column} nullable`).toBe(optional);
      }
    }
  });
});
