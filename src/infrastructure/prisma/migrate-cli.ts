import { loadConfig } from "../config";
import { migrate } from "./migrator";

// `npm run db:migrate`: brings the database up to date as DATABASE_MIGRATION_URL
// (defaults to DATABASE_URL) and grants the runtime role of DATABASE_URL.
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.database.migrationUrl) throw new Error("set DATABASE_MIGRATION_URL or DATABASE_URL");
  const { applied } = await migrate({
    migrationUrl: config.database.migrationUrl,
    runtimeUrl: config.database.url,
    log: (line) => console.log(line),
  });
  console.log(applied.length ? `db:migrate: applied ${applied.length} migration(s)` : "db:migrate: the database is up to date");
}

main().catch((error: unknown) => {
  console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
