import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/infrastructure/logger";
import { checkMigrationsApplied, DatabaseNotMigratedError } from "../../src/infrastructure/prisma/migration-check";
import { defaultMigrationsDir } from "../../src/infrastructure/prisma/migrator";
import { ensureBuilt, runBuiltService } from "../support/built-service";
import { createStagedDatabase, FUTURE_MIGRATION, type StagedDatabase } from "../support/partly-migrated-database";
import { createTestDatabase, withClient, type TestDatabase } from "../support/test-database";
import { startTestService, TEST_JWT_SECRET } from "../support/test-service";

// Issue #17: a service started on a database behind its code said it was ready and failed
// every request. It must refuse to start instead, with one line naming the missing
// migrations and the remedy; a database ahead of it (rolling deploy) only warns.

const REMEDY = "run `npm run db:migrate` (in the image: node dist/infrastructure/prisma/migrate-cli.js; in compose: the migrate service), then start the service again";

const databases: { drop(): Promise<void> }[] = [];
const staged = async (stage: Parameters<typeof createStagedDatabase>[0]) => {
  const database = await createStagedDatabase(stage);
  databases.push(database);
  return database;
};
let current: TestDatabase;

beforeAll(async () => {
  ensureBuilt();
  current = await createTestDatabase();
  databases.push(current);
}, 180_000);
afterAll(async () => {
  for (const database of databases.splice(0)) await database.drop();
});

/** `node dist/main.js` in production as the runtime role, until it exits; its stderr apart. */
async function startBuilt(database: StagedDatabase) {
  const run = runBuiltService({ NODE_ENV: "production", HOST: "127.0.0.1", PORT: "0", DATABASE_URL: database.runtimeUrl, JWT_SECRET: TEST_JWT_SECRET });
  let stderr = "";
  run.child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk));
  // A service that started anyway is stopped (the assertion on the exit code then fails).
  const started = run.outputContaining("CRM subgraph ready").then(() => run.child.kill("SIGTERM"), () => {});
  const code = await run.exited;
  await started;
  return { code, stderr, output: run.output() };
}

describe("the built service on a database that lacks migrations", () => {
  for (const stage of ["unmigrated", "missing-last"] as const) {
    it(`${stage}: exits 1 with one line on stderr naming the missing migrations and the remedy, no stack trace`, async () => {
      const database = await staged(stage);
      expect(database.missing.length).toBeGreaterThan(0);
      const { code, stderr, output } = await startBuilt(database);
      expect(code, output).toBe(1);
      expect(stderr.trimEnd().split("\n")).toEqual([`CRM subgraph failed to start: the database is missing migrations: ${database.missing.join(", ")}; ${REMEDY}`]);
      expect(output).not.toMatch(/^\s+at /m);
      expect(output).not.toContain("CRM subgraph ready");
    }, 120_000);
  }
});

describe("the check at start", () => {
  it("reads prisma/migrations, not a list: a migration added there is missing from a database migrated before", async () => {
    const copy = mkdtempSync(join(tmpdir(), "crm-migration-check-"));
    const pool = new Pool({ connectionString: current.runtimeUrl, max: 1 });
    try {
      cpSync(defaultMigrationsDir(), copy, { recursive: true });
      const added = "29991231000000_added_in_parallel";
      mkdirSync(join(copy, added));
      writeFileSync(join(copy, added, "migration.sql"), "SELECT 1;\n");
      await expect(checkMigrationsApplied(pool)).resolves.toEqual({ unknown: [] });
      const refusal = checkMigrationsApplied(pool, copy);
      await expect(refusal).rejects.toThrow(DatabaseNotMigratedError);
      await expect(refusal).rejects.toThrow(`the database is missing migrations: ${added}; ${REMEDY}`);
    } finally {
      await pool.end();
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("refuses, saying how to fix it, when the runtime role may not read _prisma_migrations", async () => {
    const database = await staged("missing-last");
    await withClient(database.adminUrl, (client) => client.query(`REVOKE SELECT ON "_prisma_migrations" FROM ${database.runtimeRole}`));
    const pool = new Pool({ connectionString: database.runtimeUrl, max: 1 });
    try {
      await expect(checkMigrationsApplied(pool)).rejects.toThrow(`the database role cannot read _prisma_migrations, so the service cannot check that the database is migrated (db:migrate grants it); ${REMEDY}`);
    } finally {
      await pool.end();
    }
  });

  it("starts on a database a newer release migrated (rolling deploy) and warns, naming the migrations it does not know", async () => {
    const database = await staged("newer");
    expect(database.unknown).toEqual([FUTURE_MIGRATION]);
    const lines: string[] = [];
    const service = await startTestService({}, { database, logger: createLogger("warn", { write: (line: string) => void lines.push(line) }) });
    try {
      const warning = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg?.startsWith("the database has migrations this release does not know"));
      expect(warning).toMatchObject({ level: 40, migrations: [FUTURE_MIGRATION] });
      const admin = await service.caller();
      expect((await admin.gql("{ leads { totalCount } }")).data).toEqual({ leads: { totalCount: 0 } });
    } finally {
      await service.stop();
    }
  });
});
