import type { Pool } from "pg";
import { defaultMigrationsDir, migrationNames } from "./migrator";

const REMEDY =
  "run `npm run db:migrate` (in the image: node dist/infrastructure/prisma/migrate-cli.js; in compose: the migrate service), then start the service again";

/** The service must not start on a schema older than its code: every request would fail. */
export class DatabaseNotMigratedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatabaseNotMigratedError";
  }
}

/** Postgres error codes the check answers by name rather than as a failure. */
const UNDEFINED_TABLE = "42P01";
const INSUFFICIENT_PRIVILEGE = "42501";

/**
 * Compares the migrations of this release (prisma/migrations, read at start: no list to keep
 * in step) with those `_prisma_migrations` records as finished, in one query. Throws
 * DatabaseNotMigratedError naming what is missing. Returns the applied migrations this
 * release does not know: a newer release migrated the database, which a rolling deploy does
 * on purpose (migrations are additive), so the caller only warns.
 */
export async function checkMigrationsApplied(pool: Pick<Pool, "query">, migrationsDir = defaultMigrationsDir()): Promise<{ unknown: string[] }> {
  let known: string[];
  try {
    known = migrationNames(migrationsDir);
  } catch (error) {
    // The image ships prisma/migrations next to dist/ (Dockerfile): without it nothing can be checked.
    throw new Error(`cannot read this release's migrations in ${migrationsDir}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let applied: string[];
  try {
    const { rows } = await pool.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    applied = rows.map((row) => row.migration_name);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Never migrated: the table `db:migrate` (or `prisma migrate deploy`) creates is not there.
    if (code === UNDEFINED_TABLE) applied = [];
    else if (code === INSUFFICIENT_PRIVILEGE) {
      throw new DatabaseNotMigratedError(
        `the database role cannot read _prisma_migrations, so the service cannot check that the database is migrated (db:migrate grants it); ${REMEDY}`,
      );
    } else throw error;
  }
  const done = new Set(applied);
  const missing = known.filter((name) => !done.has(name));
  if (missing.length) throw new DatabaseNotMigratedError(`the database is missing migrations: ${missing.join(", ")}; ${REMEDY}`);
  const knownSet = new Set(known);
  return { unknown: [...done].filter((name) => !knownSet.has(name)).sort() };
}
