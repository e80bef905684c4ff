import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/infrastructure/prisma/migrator";
import { ensureRuntimeRole } from "../../src/infrastructure/prisma/roles";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { createBareDatabase, createRole, uniqueName, serverAdminUrl, urlFor, withClient, type BareDatabase, type TestRole } from "./database-fixtures";

// Row-level security is the last line of tenant isolation: connected as the
// runtime role, a query sees its own tenant's rows only when the tenant is set
// for its transaction, and no rows at all otherwise.

const TABLES = ["lead", "activity", "outbox"] as const;
const tenantA = randomUUID();
const tenantB = randomUUID();

interface Seeded {
  lead: string;
  activity: string;
  outbox: string;
}

async function seedTenant(admin: Client, tenantId: string, label: string): Promise<Seeded> {
  const ids = { lead: randomUUID(), activity: randomUUID(), outbox: randomUUID() };
  await admin.query(
    `INSERT INTO lead (tenant_id, id, name, email, source, status, score, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'OTHER', 'NEW', 5, 1, now(), now())`,
    [tenantId, ids.lead, label, `${ids.lead}@example.com`],
  );
  await admin.query(
    `INSERT INTO activity (tenant_id, id, lead_id, type, summary, occurred_at, created_at) VALUES ($1, $2, $3, 'NOTE', $4, now(), now())`,
    [tenantId, ids.activity, ids.lead, label],
  );
  await admin.query(
    `INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, occurred_at)
     VALUES ($1, $2, $3, 'LeadCaptured', 1, $4, $4, now())`,
    [tenantId, ids.outbox, ids.lead, JSON.stringify({ name: label })],
  );
  return ids;
}

/** A row for `table` owned by `tenantId` (activity needs an existing lead of that tenant: `leadId`). */
function insertStatement(table: (typeof TABLES)[number], tenantId: string, leadId: string): [string, unknown[]] {
  const id = randomUUID();
  switch (table) {
    case "lead":
      return [
        `INSERT INTO lead (tenant_id, id, name, email, source, status, score, version, created_at, updated_at) VALUES ($1, $2, 'Intruder', $3, 'OTHER', 'NEW', 5, 1, now(), now())`,
        [tenantId, id, `${id}@example.com`],
      ];
    case "activity":
      return [`INSERT INTO activity (tenant_id, id, lead_id, type, summary, occurred_at, created_at) VALUES ($1, $2, $3, 'NOTE', 'x', now(), now())`, [tenantId, id, leadId]];
    case "outbox":
      return [`INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, occurred_at) VALUES ($1, $2, $3, 'LeadCaptured', 1, '{}', now())`, [tenantId, id, leadId]];
  }
}

const UPDATES: Record<(typeof TABLES)[number], string> = {
  lead: `UPDATE lead SET name = 'hijacked' WHERE tenant_id = $1`,
  activity: `UPDATE activity SET summary = 'hijacked' WHERE tenant_id = $1`,
  outbox: `UPDATE outbox SET payload = '{"hijacked":true}' WHERE tenant_id = $1`,
};

let database: TestDatabase;
let admin: Client;
let app: Client;
let seededA: Seeded;
let seededB: Seeded;

async function count(client: Client, table: string): Promise<number> {
  return (await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
}

/** Runs `work` as the runtime role in a transaction with the tenant set transaction-locally; always rolled back. */
async function asTenant<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
  await app.query("BEGIN");
  try {
    await app.query(`SELECT set_config('app.current_tenant_id', $1, true)`, [tenantId]);
    return await work();
  } finally {
    await app.query("ROLLBACK");
  }
}

/** The error a statement fails with, run under a savepoint so the transaction carries on. */
async function failureOf(sql: string, params: unknown[]): Promise<{ code?: string; message: string } | null> {
  await app.query("SAVEPOINT attempt");
  try {
    await app.query(sql, params);
    await app.query("RELEASE SAVEPOINT attempt");
    return null;
  } catch (error) {
    await app.query("ROLLBACK TO SAVEPOINT attempt");
    const { code, message } = error as { code?: string; message: string };
    return { code, message };
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new Client({ connectionString: database.adminUrl });
  app = new Client({ connectionString: database.runtimeUrl });
  await Promise.all([admin.connect(), app.connect()]);
  seededA = await seedTenant(admin, tenantA, "A");
  seededB = await seedTenant(admin, tenantB, "B");
});
afterAll(async () => {
  await app?.end();
  await admin?.end();
  await database?.drop();
});

describe("the runtime role and the tables", () => {
  it("the arrangement is real: the superuser sees both tenants' rows in every table", async () => {
    for (const table of TABLES) expect(await count(admin, table), table).toBe(2);
  });

  it("the runtime role is neither SUPERUSER nor BYPASSRLS and owns nothing in the schema", async () => {
    const role = (await admin.query(`SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1`, [database.runtimeRole])).rows;
    expect(role).toEqual([{ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false }]);
    const ownedTables = await admin.query(`SELECT tablename FROM pg_tables WHERE tableowner = $1`, [database.runtimeRole]);
    expect(ownedTables.rows).toEqual([]);
    const ownedObjects = await admin.query(
      `SELECT relname FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)
       UNION ALL SELECT proname FROM pg_proc WHERE proowner = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
      [database.runtimeRole],
    );
    expect(ownedObjects.rows).toEqual([]);
    // And it is who the app connection really is.
    expect((await app.query(`SELECT current_user AS who`)).rows[0].who).toBe(database.runtimeRole);
  });

  it("every table with a tenant_id column has row-level security enabled and forced", async () => {
    const flags = await admin.query(
      `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
         (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
       FROM pg_class c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
       ORDER BY c.relname`,
    );
    // idempotency_record's own isolation is proven in tests/idempotency (it has no id column to seed here).
    expect(flags.rows.map((row) => row.relname)).toEqual([...TABLES, "idempotency_record"].sort());
    const offenders = flags.rows.filter((row) => !row.relrowsecurity || !row.relforcerowsecurity || row.policies === 0);
    expect(offenders).toEqual([]);
  });

  it("the runtime role cannot switch row-level security off", async () => {
    for (const statement of ["ALTER TABLE lead DISABLE ROW LEVEL SECURITY", "ALTER TABLE lead NO FORCE ROW LEVEL SECURITY", "DROP POLICY lead_tenant_isolation ON lead"]) {
      await expect(app.query(statement), statement).rejects.toThrow(/must be owner/);
    }
  });
});

describe("with no tenant set", () => {
  it("every table looks empty", async () => {
    for (const table of TABLES) expect(await count(app, table), table).toBe(0);
  });

  it("every table looks empty with the setting set to '' for the session", async () => {
    try {
      await app.query(`SELECT set_config('app.current_tenant_id', '', false)`);
      expect((await app.query(`SELECT current_setting('app.current_tenant_id', true) AS value`)).rows[0].value).toBe("");
      for (const table of TABLES) expect(await count(app, table), table).toBe(0);
    } finally {
      await app.query(`RESET app.current_tenant_id`);
    }
  });

  it("updates and deletes reach nothing, and inserts are refused", async () => {
    await app.query("BEGIN");
    try {
      for (const table of TABLES) {
        expect((await app.query(UPDATES[table], [tenantA])).rowCount, `UPDATE ${table}`).toBe(0);
        expect((await app.query(`DELETE FROM ${table}`)).rowCount, `DELETE ${table}`).toBe(0);
        const [sql, params] = insertStatement(table, tenantA, seededA.lead);
        expect((await failureOf(sql, params))?.message, `INSERT ${table}`).toMatch(/violates row-level security policy/);
      }
    } finally {
      await app.query("ROLLBACK");
    }
  });

  it("a value that is not a UUID fails the query instead of matching anything", async () => {
    await expect(asTenant("not-a-uuid", () => app.query(`SELECT * FROM lead`))).rejects.toThrow(/invalid input syntax for type uuid/);
  });
});

describe("with tenant A set for the transaction", () => {
  it("only A's rows are visible, in every table", async () => {
    await asTenant(tenantA, async () => {
      for (const table of TABLES) {
        const rows = (await app.query(`SELECT tenant_id, id FROM ${table}`)).rows;
        expect(rows, table).toEqual([{ tenant_id: tenantA, id: seededA[table] }]);
        // Naming B explicitly does not help either.
        expect((await app.query(`SELECT id FROM ${table} WHERE tenant_id = $1`, [tenantB])).rowCount, table).toBe(0);
      }
    });
  });

  it("UPDATE and DELETE of B's rows affect 0 rows, and B's rows are untouched", async () => {
    await asTenant(tenantA, async () => {
      for (const table of TABLES) {
        expect((await app.query(UPDATES[table], [tenantB])).rowCount, `UPDATE ${table}`).toBe(0);
        expect((await app.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [tenantB])).rowCount, `DELETE ${table}`).toBe(0);
        expect((await app.query(`DELETE FROM ${table} WHERE id = $1`, [seededB[table]])).rowCount, `DELETE ${table} by id`).toBe(0);
      }
    });
    // Checked through the superuser after the transaction.
    expect((await admin.query(`SELECT name FROM lead WHERE id = $1`, [seededB.lead])).rows).toEqual([{ name: "B" }]);
    expect((await admin.query(`SELECT summary FROM activity WHERE id = $1`, [seededB.activity])).rows).toEqual([{ summary: "B" }]);
    expect((await admin.query(`SELECT payload FROM outbox WHERE id = $1`, [seededB.outbox])).rows).toEqual([{ payload: { name: "B" } }]);
  });

  it("INSERT of a row of tenant B fails with a row-level security (WITH CHECK) violation, in every table", async () => {
    await asTenant(tenantA, async () => {
      for (const table of TABLES) {
        const [sql, params] = insertStatement(table, tenantB, seededB.lead);
        const failure = await failureOf(sql, params);
        expect(failure?.code, table).toBe("42501"); // insufficient_privilege
        expect(failure?.message, table).toMatch(new RegExp(`new row violates row-level security policy for table "${table}"`));
      }
      // Its own tenant's rows go in (so the refusal above is about the tenant, not the statement).
      for (const table of TABLES) {
        const [sql, params] = insertStatement(table, tenantA, seededA.lead);
        expect(await failureOf(sql, params), table).toBeNull();
      }
    });
    expect((await admin.query(`SELECT count(*)::int AS n FROM lead WHERE name = 'Intruder'`)).rows[0].n).toBe(0);
  });

  it("moving one of A's rows to tenant B is refused", async () => {
    await asTenant(tenantA, async () => {
      for (const table of TABLES) {
        const failure = await failureOf(`UPDATE ${table} SET tenant_id = $1 WHERE id = $2`, [tenantB, seededA[table]]);
        expect(failure?.message, table).toMatch(/violates row-level security policy/);
      }
    });
  });

  it("after COMMIT the setting no longer applies on the same connection", async () => {
    await app.query("BEGIN");
    await app.query(`SELECT set_config('app.current_tenant_id', $1, true)`, [tenantA]);
    expect(await count(app, "lead")).toBe(1);
    await app.query("COMMIT");
    expect((await app.query(`SELECT current_setting('app.current_tenant_id', true) AS value`)).rows[0].value).toBe("");
    for (const table of TABLES) expect(await count(app, table), table).toBe(0);
  });

  it("after ROLLBACK as well, and a second transaction on the connection can take tenant B", async () => {
    await asTenant(tenantA, async () => expect(await count(app, "outbox")).toBe(1));
    for (const table of TABLES) expect(await count(app, table), table).toBe(0);
    await asTenant(tenantB, async () => {
      expect((await app.query(`SELECT id FROM lead`)).rows).toEqual([{ id: seededB.lead }]);
    });
  });
});

describe("the outbox relay functions", () => {
  it("the runtime role can call crm_claim_outbox and crm_outbox_backlog, and they see every tenant", async () => {
    const unpublished = (await admin.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)).rows[0].n;
    const backlog = (await app.query(`SELECT unpublished, oldest_age_seconds FROM crm_outbox_backlog()`)).rows[0];
    expect(Number(backlog.unpublished)).toBe(unpublished);
    expect(unpublished).toBeGreaterThanOrEqual(2);
    await app.query("BEGIN");
    try {
      const claimed = (await app.query(`SELECT tenant_id, id FROM crm_claim_outbox(100)`)).rows;
      expect(new Set(claimed.map((row) => row.tenant_id))).toEqual(new Set([tenantA, tenantB]));
      expect(claimed.map((row) => row.id)).toEqual(expect.arrayContaining([seededA.outbox, seededB.outbox]));
      // The functions do not open the table itself: the same transaction still sees nothing directly.
      expect(await count(app, "outbox")).toBe(0);
    } finally {
      await app.query("ROLLBACK");
    }
  });

  it("a role that was not granted EXECUTE cannot call them", async () => {
    const stranger = await createRole("crm_stranger", "NOSUPERUSER NOBYPASSRLS");
    try {
      await withClient(stranger.urlOn(database.name), async (client) => {
        for (const call of ["SELECT * FROM crm_claim_outbox(1)", "SELECT * FROM crm_outbox_backlog()", "SELECT crm_mark_outbox_published('{}'::uuid[], '{}'::uuid[])"]) {
          await expect(client.query(call), call).rejects.toThrow(/permission denied for function/);
        }
      });
    } finally {
      await stranger.drop();
    }
  });
});

// The shape production runs in: the migration owner is an ordinary role, not
// the superuser, so FORCE ROW LEVEL SECURITY binds it too and the relay
// functions (running as it) reach the whole outbox only through
// the outbox_relay_access policy granted to it.
describe("with a non-superuser migration owner", () => {
  let owner: TestRole;
  let runtimeRole: string;
  let ownedDatabase: BareDatabase;
  let runtimeUrl: string;

  beforeAll(async () => {
    owner = await createRole("crm_owner", "NOSUPERUSER NOBYPASSRLS");
    ownedDatabase = await createBareDatabase(owner.name);
    runtimeRole = uniqueName("crm_app");
    await ensureRuntimeRole(serverAdminUrl(), runtimeRole, "runtime-secret");
    runtimeUrl = urlFor(serverAdminUrl(), ownedDatabase.name, runtimeRole, "runtime-secret");
    await migrate({ migrationUrl: owner.urlOn(ownedDatabase.name), runtimeUrl });
    await withClient(ownedDatabase.adminUrl, async (client) => {
      await seedTenant(client, tenantA, "A");
      await seedTenant(client, tenantB, "B");
    });
  });
  afterAll(async () => {
    await ownedDatabase?.drop();
    if (runtimeRole) await withClient(serverAdminUrl(), (client) => client.query(`DROP ROLE IF EXISTS ${runtimeRole}`));
    await owner?.drop();
  });

  it("the tables, relay functions and trigram lookups belong to the owner; the relay and lookup policies apply to the owner alone", async () => {
    await withClient(ownedDatabase.adminUrl, async (client) => {
      const tables = await client.query(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`);
      expect(tables.rows).toEqual([{ tableowner: owner.name }]);
      const functions = await client.query(
        `SELECT proname, pg_get_userbyid(proowner) AS owner, prosecdef FROM pg_proc WHERE proname LIKE 'crm\\_%' ORDER BY proname`,
      );
      expect(functions.rows).toEqual(
        ["crm_claim_outbox", "crm_duplicate_candidate_ids", "crm_mark_outbox_published", "crm_mark_outbox_published_to_streams", "crm_outbox_backlog", "crm_purge_expired_idempotency_records", "crm_search_lead_ids"].map((proname) => ({
          proname,
          owner: owner.name,
          prosecdef: true,
        })),
      );
      const lookup = await client.query(
        `SELECT polrelid::regclass::text AS table_name, polcmd, ARRAY(SELECT pg_get_userbyid(r)::text FROM unnest(polroles) r) AS roles
         FROM pg_policy WHERE polname = 'lead_trigram_lookup'`,
      );
      expect(lookup.rows).toEqual([{ table_name: "lead", polcmd: "r", roles: [owner.name] }]);
      const policy = await client.query(
        `SELECT polrelid::regclass::text AS table_name, ARRAY(SELECT pg_get_userbyid(r)::text FROM unnest(polroles) r) AS roles
         FROM pg_policy WHERE polname = 'outbox_relay_access'`,
      );
      expect(policy.rows).toEqual([{ table_name: "outbox", roles: [owner.name] }]);
    });
  });

  // The trigram lookups (migration 20261129000200) read lead as the owner: RLS would keep the
  // trigram indexes from them as from the runtime role (ILIKE and % are not LEAKPROOF), so the
  // owner may read leads (lead_trigram_lookup, SELECT only, as outbox_relay_access for the
  // outbox); its writes stay bound by the tenant policy.
  it("the owner itself is bound by FORCE: its tenant policies apply to activity, and to lead for everything but reading", async () => {
    await withClient(owner.urlOn(ownedDatabase.name), async (client) => {
      expect(await count(client, "activity")).toBe(0);
      expect(await count(client, "lead")).toBe(2);
      expect((await client.query(`UPDATE lead SET name = name`)).rowCount).toBe(0);
      expect((await client.query(`DELETE FROM lead`)).rowCount).toBe(0);
    });
  });

  it("the trigram lookups work for a non-superuser owner: the transaction's tenant only, on the trigram indexes", async () => {
    await withClient(runtimeUrl, async (client) => {
      await client.query("BEGIN");
      try {
        await client.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenantA]);
        const found = await client.query(`SELECT id FROM crm_search_lead_ids('%a%', 10)`);
        const names = await client.query(`SELECT name FROM lead WHERE id = ANY($1::uuid[])`, [found.rows.map((row) => row.id)]);
        expect(names.rows).toEqual([{ name: "A" }]);
        const candidates = await client.query(`SELECT id FROM crm_duplicate_candidate_ids('A', NULL, NULL, 'example.com')`);
        expect(candidates.rows).toHaveLength(1);
        // Why the lookups exist: under RLS the runtime role's own ILIKE cannot use the index, even with scans ruled out.
        await client.query("SET LOCAL enable_seqscan = off");
        const own = await client.query(`EXPLAIN SELECT id FROM lead WHERE lower(name) ILIKE '%abc%'`);
        expect(own.rows.map((row) => row["QUERY PLAN"]).join("\n")).not.toContain("trgm");
      } finally {
        await client.query("ROLLBACK");
      }
    });
    // What the lookups run, planned as the owner with scans ruled out: the trigram index serves it.
    await withClient(owner.urlOn(ownedDatabase.name), async (client) => {
      await client.query("SET enable_seqscan = off");
      const plan = await client.query(`EXPLAIN SELECT id FROM lead WHERE lower(name) ILIKE '%abc%'`);
      expect(plan.rows.map((row) => row["QUERY PLAN"]).join("\n")).toContain("lead_name_trgm_idx");
    });
  });

  it("the runtime role sees no outbox rows directly, yet the relay functions reach every tenant", async () => {
    await withClient(runtimeUrl, async (client) => {
      expect(await count(client, "outbox")).toBe(0);
      expect(Number((await client.query(`SELECT unpublished FROM crm_outbox_backlog()`)).rows[0].unpublished)).toBe(2);
      await client.query("BEGIN");
      try {
        const claimed = (await client.query(`SELECT tenant_id, id FROM crm_claim_outbox(10)`)).rows;
        expect(new Set(claimed.map((row) => row.tenant_id))).toEqual(new Set([tenantA, tenantB]));
        const marked = await client.query(`SELECT crm_mark_outbox_published($1::uuid[], $2::uuid[]) AS n`, [
          claimed.map((row) => row.id),
          claimed.map((row) => row.tenant_id),
        ]);
        expect(marked.rows[0].n).toBe(2);
        expect(Number((await client.query(`SELECT unpublished FROM crm_outbox_backlog()`)).rows[0].unpublished)).toBe(0);
      } finally {
        await client.query("ROLLBACK");
      }
    });
  });
});
