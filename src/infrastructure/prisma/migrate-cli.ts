import { commandLineOptions } from "../command-line";
import { loadMigrationConfig } from "../config";
import { resolveVaultReferences } from "../vault-secrets";
import { migrate } from "./migrator";

const USAGE = `usage: npm run db:migrate   (in the image: node dist/infrastructure/prisma/migrate-cli.js)

Brings the database up to date (prisma/migrations) and grants the runtime role what it needs. Idempotent.
Reads database settings only:
  DATABASE_MIGRATION_URL   the owner role that migrates (defaults to DATABASE_URL)
  DATABASE_URL             the runtime role the service connects as (granted, checked to own nothing)
Each may be given as X_FILE (a file holding it) or as a vault:<mount>/<path>#<key> reference.`;

async function main(): Promise<void> {
  commandLineOptions(USAGE, {});
  const config = loadMigrationConfig(await resolveVaultReferences(process.env));
  if (!config.migrationUrl) throw new Error("set DATABASE_MIGRATION_URL or DATABASE_URL");
  const { applied } = await migrate({
    migrationUrl: config.migrationUrl,
    runtimeUrl: config.runtimeUrl,
    log: (line) => console.log(line),
  });
  console.log(applied.length ? `db:migrate: applied ${applied.length} migration(s)` : "db:migrate: the database is up to date");
}

main().catch((error: unknown) => {
  console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
