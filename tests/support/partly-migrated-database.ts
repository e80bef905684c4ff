import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultMigrationsDir, migrate, migrationNames } from "../../src/infrastructure/prisma/migrator";
import { createEmptyDatabase, withClient, type TestDatabase } from "./test-database";

/**
 * How far a database is behind (or ahead of) this release's prisma/migrations, read from the
 * directory so a migration added later changes nothing here:
 * - unmigrated: nothing applied, not even `_prisma_migrations`;
 * - missing-last: every migration but the last (a release's new migration not applied);
 * - newer: every migration plus one this release does not know (a newer release migrated it).
 */
export type SchemaStage = "unmigrated" | "missing-last" | "newer";

export interface StagedDatabase extends TestDatabase {
  /** What the service should name as missing / unknown. */
  missing: string[];
  unknown: string[];
}

export const FUTURE_MIGRATION = "29991231000000_from_a_newer_release";

export async function createStagedDatabase(stage: SchemaStage): Promise<StagedDatabase> {
  const database = await createEmptyDatabase({ database: "crm_staged", role: "crm_app_staged" });
  const { adminUrl, runtimeUrl, runtimeRole } = database;
  const all = migrationNames(defaultMigrationsDir());
  let missing: string[] = [];
  let unknown: string[] = [];
  const copy = mkdtempSync(join(tmpdir(), "crm-staged-migrations-"));
  try {
    if (stage === "unmigrated") missing = all;
    if (stage === "missing-last") {
      missing = all.slice(-1);
      cpSync(defaultMigrationsDir(), copy, { recursive: true });
      rmSync(join(copy, missing[0]), { recursive: true });
      // Not granted by migrate(): its grants name objects the later migrations create.
      await migrate({ migrationUrl: adminUrl, migrationsDir: copy });
      await withClient(adminUrl, (client) => client.query(`GRANT SELECT ON "_prisma_migrations" TO ${runtimeRole}`));
    }
    if (stage === "newer") {
      unknown = [FUTURE_MIGRATION];
      cpSync(defaultMigrationsDir(), copy, { recursive: true });
      mkdirSync(join(copy, FUTURE_MIGRATION));
      writeFileSync(join(copy, FUTURE_MIGRATION, "migration.sql"), `ALTER TABLE "lead" ADD COLUMN "added_by_a_newer_release" TEXT;\n`);
      await migrate({ migrationUrl: adminUrl, runtimeUrl, migrationsDir: copy });
    }
  } catch (error) {
    await database.drop();
    throw error;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  return { ...database, missing, unknown };
}
