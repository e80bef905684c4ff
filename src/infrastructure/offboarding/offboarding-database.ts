import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "../config";
import { startEmbeddedPostgres } from "../embedded-postgres";

/** How the offboarding CLIs reach PostgreSQL, and what to do when they are done. */
export interface OffboardingDatabase {
  url: string;
  release(): Promise<void>;
}

/**
 * The offboarding CLIs connect as the service's runtime role (DATABASE_URL)
 * and act as the tenant: they set app.current_tenant_id for their
 * transaction, so row-level security itself confines them to that one tenant
 * (no SECURITY DEFINER function, no BYPASSRLS). Without DATABASE_URL they use
 * the embedded database under DATA_DIR as `npm start` does: the running one
 * (its port is in postmaster.pid), or started for the duration of the command.
 */
export async function offboardingDatabase(config: Config): Promise<OffboardingDatabase> {
  if (config.database.url) return { url: config.database.url, release: async () => {} };
  const dataDir = resolve(config.dataDir);
  const pgDir = join(dataDir, "pg");
  const passwordFile = join(dataDir, "runtime-role-password");
  if (!existsSync(join(pgDir, "PG_VERSION")) || !existsSync(passwordFile)) {
    throw new Error(`no embedded database under DATA_DIR (${config.dataDir}): set DATABASE_URL, or run npm start once`);
  }
  const password = readFileSync(passwordFile, "utf8").trim();
  const urlOn = (port: number) => `postgres://crm_app:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const running = runningPort(pgDir);
  if (running) return { url: urlOn(running), release: async () => {} };
  const embedded = await startEmbeddedPostgres({ dataDir: pgDir });
  return { url: urlOn(Number(new URL(embedded.adminUrl).port)), release: () => embedded.stop() };
}

/** The port of a PostgreSQL already running on this data folder (line 4 of postmaster.pid). */
function runningPort(pgDir: string): number | null {
  const pidFile = join(pgDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const [pid, , , port] = readFileSync(pidFile, "utf8").split("\n");
  try {
    process.kill(Number(pid), 0);
  } catch (error) {
    // EPERM: alive, run by another OS user (as root it runs as `postgres`).
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  return Number(port) || null;
}
