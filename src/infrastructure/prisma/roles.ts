import { Client } from "pg";
import { reportConnectionErrors } from "../database-pool";

/**
 * Creates the service's runtime role if it is missing: it may log in and
 * nothing more (no superuser, no BYPASSRLS), so row-level security binds it.
 */
export async function ensureRuntimeRole(adminUrl: string, role: string, password?: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  // A dropped connection fails the statement in hand; it must not also crash the process.
  reportConnectionErrors(client);
  await client.connect();
  try {
    const quoted = `"${role.replace(/"/g, '""')}"`;
    const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
    const login = password ? `LOGIN PASSWORD '${password.replace(/'/g, "''")}'` : "LOGIN";
    await client.query(
      `${exists.rowCount ? "ALTER" : "CREATE"} ROLE ${quoted} ${login} NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`,
    );
  } finally {
    await client.end();
  }
}
