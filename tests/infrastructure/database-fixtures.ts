import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { urlFor, withClient } from "../support/test-database";

export { urlFor, withClient };

// Databases and roles the infrastructure tests make for themselves, beyond
// tests/support/test-database.ts: a bare (unmigrated) database, roles of a given
// kind. Every name carries a random suffix so files can run in parallel, in any
// order and twice; every helper returns its own clean-up.

export function serverAdminUrl(): string {
  return inject("pgAdminUrl");
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

export interface BareDatabase {
  name: string;
  /** The superuser on this database. */
  adminUrl: string;
  drop(): Promise<void>;
}

/** An empty database (nothing migrated), owned by `owner` or the superuser. */
export async function createBareDatabase(owner?: string): Promise<BareDatabase> {
  const server = serverAdminUrl();
  const name = uniqueName("crm_infra");
  await withClient(server, (client) => client.query(`CREATE DATABASE ${name}${owner ? ` OWNER ${owner}` : ""}`));
  return {
    name,
    adminUrl: urlFor(server, name),
    drop: () => withClient(server, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

export interface TestRole {
  name: string;
  password: string;
  /** This role on database `database` of the test server. */
  urlOn(database: string): string;
  drop(): Promise<void>;
}

/** A login role with the given attributes (e.g. "SUPERUSER", "BYPASSRLS", "NOSUPERUSER NOBYPASSRLS"). */
export async function createRole(prefix: string, attributes = ""): Promise<TestRole> {
  const server = serverAdminUrl();
  const name = uniqueName(prefix);
  const password = randomBytes(12).toString("hex");
  await withClient(server, (client) => client.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}' ${attributes}`));
  return {
    name,
    password,
    urlOn: (database) => urlFor(server, database, name, password),
    // Drop the databases it had grants in first; then nothing depends on it.
    drop: () => withClient(server, (client) => client.query(`DROP ROLE IF EXISTS ${name}`)).then(() => {}),
  };
}
