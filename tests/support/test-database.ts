import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { inject } from "vitest";
import { reportConnectionErrors } from "../../src/infrastructure/database-pool";
import { migrate } from "../../src/infrastructure/prisma/migrator";
import { ensureRuntimeRole } from "../../src/infrastructure/prisma/roles";

export interface TestDatabase {
  name: string;
  /** The superuser on this database (bypasses RLS: for arranging and inspecting). */
  adminUrl: string;
  /** The service's runtime role on this database (bound by RLS). */
  runtimeUrl: string;
  runtimeRole: string;
  drop(): Promise<void>;
}

/** `url` pointed at another database and, optionally, another user. */
export function urlFor(url: string, database: string, user?: string, password?: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (user !== undefined) {
    parsed.username = user;
    parsed.password = password ?? "";
  }
  return parsed.toString();
}

/** Runs `work` on a connection of its own, closed afterwards. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  reportConnectionErrors(client);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database and runtime role of its own; `drop()` removes both. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const database = await createEmptyDatabase({ database: "crm_test", role: "crm_app" });
  await migrate({ migrationUrl: database.adminUrl, runtimeUrl: database.runtimeUrl });
  return database;
}

/**
 * A fresh database with nothing in it (not migrated) and a runtime role of its own, named
 * `<database>_<suffix>` and `<role>_<suffix>`; `drop()` removes both.
 */
export async function createEmptyDatabase(prefixes: { database: string; role: string }): Promise<TestDatabase> {
  const serverAdminUrl = inject("pgAdminUrl");
  const suffix = randomBytes(6).toString("hex");
  const name = `${prefixes.database}_${suffix}`;
  const runtimeRole = `${prefixes.role}_${suffix}`;
  const password = randomBytes(12).toString("hex");
  await withClient(serverAdminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  await ensureRuntimeRole(serverAdminUrl, runtimeRole, password);
  const adminUrl = urlFor(serverAdminUrl, name);
  const runtimeUrl = urlFor(serverAdminUrl, name, runtimeRole, password);
  return {
    name,
    adminUrl,
    runtimeUrl,
    runtimeRole,
    async drop() {
      await withClient(serverAdminUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.query(`DROP ROLE IF EXISTS ${runtimeRole}`);
      });
    },
  };
}
