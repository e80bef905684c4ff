import { createHash, randomUUID } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { Client } from "pg";
import { reportConnectionErrors } from "../database-pool";

export interface MigrateOptions {
  /** The owner role: creates and alters the tables. */
  migrationUrl: string;
  /** The role the service runs as; granted what it needs when it is another role. */
  runtimeUrl?: string;
  migrationsDir?: string;
  log?: (line: string) => void;
}

// The advisory lock `prisma migrate deploy` takes, so the two never run at once.
const PRISMA_MIGRATE_LOCK = 72707369;
const TENANT_TABLES = ["lead", "activity", "outbox", "idempotency_record"];
const RELAY_FUNCTIONS = [
  "crm_claim_outbox(integer)",
  "crm_mark_outbox_published(uuid[], uuid[])",
  "crm_mark_outbox_published_to_streams(uuid[], uuid[], text[])",
  "crm_outbox_backlog()",
  "crm_purge_expired_idempotency_records(integer)",
];
/** Trigram lookups under RLS (migration 20261129000200): the tenant comes from the transaction, as for the policies. */
const TRIGRAM_LOOKUP_FUNCTIONS = ["crm_search_lead_ids(text, integer)", "crm_duplicate_candidate_ids(text, text, text, text)"];

/** prisma/migrations of this release (the image ships it next to dist/). */
export function defaultMigrationsDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the project root (package.json) to locate prisma/migrations");
    dir = parent;
  }
  return join(dir, "prisma", "migrations");
}

/** The migrations of `dir` in the order they apply: each folder that holds a migration.sql. */
export function migrationNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
}

function migrationFolders(dir: string): { name: string; sql: string; checksum: string }[] {
  return migrationNames(dir).map((name) => {
    const bytes = readFileSync(join(dir, name, "migration.sql"));
    return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
  });
}

/**
 * Applies prisma/migrations/<name>/migration.sql in order and records them in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does (same table,
 * sha256 checksums), so Prisma's own CLI can take over on a machine that has
 * its schema engine. Idempotent; refuses a migration edited after it ran.
 */
export async function migrate(options: MigrateOptions): Promise<{ applied: string[] }> {
  const log = options.log ?? (() => {});
  const client = new Client({ connectionString: options.migrationUrl });
  // A dropped connection fails the migration in hand (and is said so); it must not crash the process.
  reportConnectionErrors(client, (_fields, message) => log(`warning: ${message}`));
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const done = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const doneByName = new Map(done.rows.map((row) => [row.migration_name, row.checksum]));
    for (const migration of migrationFolders(options.migrationsDir ?? defaultMigrationsDir())) {
      const previous = doneByName.get(migration.name);
      if (previous !== undefined) {
        if (previous !== migration.checksum) {
          throw new Error(`migration ${migration.name} was changed after it was applied (checksum differs); add a new migration instead`);
        }
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      applied.push(migration.name);
      log(`applied migration ${migration.name}`);
    }
    if (options.runtimeUrl) await grantRuntimeRole(client, decodeURIComponent(new URL(options.runtimeUrl).username), log);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK]).catch(() => {});
    await client.end();
  }
  return { applied };
}

async function grantRuntimeRole(client: Client, role: string, log: (line: string) => void): Promise<void> {
  const owner = (await client.query<{ current_user: string }>("SELECT current_user")).rows[0].current_user;
  if (!role || role === owner) {
    // Allowed (DATABASE_MIGRATION_URL defaults to DATABASE_URL), but then RLS cannot bind the service.
    log(`warning: the runtime role is the migration owner ${owner}; give the service a role of its own (the service refuses this in production)`);
    return;
  }
  const found = await client.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
    "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1",
    [role],
  );
  if (found.rowCount === 0) throw new Error(`the runtime role ${role} of DATABASE_URL does not exist`);
  if (found.rows[0].rolsuper || found.rows[0].rolbypassrls) {
    throw new Error(`the runtime role ${role} must be neither SUPERUSER nor BYPASSRLS: row-level security would not bind it`);
  }
  const quoted = `"${role.replace(/"/g, '""')}"`;
  await client.query(`GRANT USAGE ON SCHEMA public TO ${quoted}`);
  await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${TENANT_TABLES.map((t) => `"${t}"`).join(", ")} TO ${quoted}`);
  await client.query(`GRANT USAGE, SELECT ON SEQUENCE "outbox_seq_seq" TO ${quoted}`);
  // Read only: the service checks at start that every migration it knows is applied (migration-check.ts).
  await client.query(`GRANT SELECT ON "_prisma_migrations" TO ${quoted}`);
  for (const fn of [...RELAY_FUNCTIONS, ...TRIGRAM_LOOKUP_FUNCTIONS]) await client.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${quoted}`);
  log(`granted the runtime role ${role} access to the CRM tables`);
}
