import { randomUUID } from "node:crypto";
import { Client, type Pool } from "pg";
import { closeDatabasePool, createDatabasePool } from "../../src/infrastructure/database-pool";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Prisma } from "../../src/infrastructure/prisma/generated/client";
import { RequestReadSession } from "../../src/infrastructure/read-store/request-read-session";
import { pooledReads, type TenantReads } from "../../src/infrastructure/read-store/tenant-reads";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

// The query side's way into PostgreSQL: node-postgres directly, each statement
// one round trip in a read-only transaction of its own with the tenant set
// transaction-locally (no BEGIN, no COMMIT, nothing left open in between).

let database: TestDatabase;
let admin: Client;
/** One connection, so every test sees what the previous use left on it. */
let pool: Pool;
let reads: TenantReads;
let statements: string[] = [];
const tenantA = randomUUID();
const tenantB = randomUUID();

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new Client({ connectionString: database.adminUrl });
  await admin.connect();
  for (const [tenantId, count] of [
    [tenantA, 3],
    [tenantB, 2],
  ] as const) {
    for (let i = 0; i < count; i++) {
      const id = randomUUID();
      await admin.query(
        `INSERT INTO lead (tenant_id, id, name, email, source, status, score, version, created_at, updated_at)
         VALUES ($1, $2, 'Lead', $3, 'OTHER', 'NEW', 5, 1, now(), now())`,
        [tenantId, id, `${id}@example.com`],
      );
    }
  }
  pool = createDatabasePool(database.runtimeUrl, { max: 1 });
  reads = pooledReads(pool, { onStatement: (text) => statements.push(text) });
});
beforeEach(() => {
  statements = [];
});
afterAll(async () => {
  if (pool) await closeDatabasePool(pool);
  await admin?.end();
  await database?.drop();
});

// Deliberately without a tenant condition: only row-level security limits it.
const countAllLeads = Prisma.sql`SELECT count(*)::int AS n FROM lead`;

describe("pooledReads", () => {
  it("sees only the tenant's rows, through row-level security alone", async () => {
    expect(await reads.inTenant(tenantA, (db) => db.rows<{ n: number }>(countAllLeads))).toEqual([{ n: 3 }]);
    expect(await reads.inTenant(tenantB, (db) => db.rows<{ n: number }>(countAllLeads))).toEqual([{ n: 2 }]);
  });

  it("leaves no tenant on the pooled connection once the transaction ends", async () => {
    await reads.inTenant(tenantA, (db) => db.rows(countAllLeads));
    const after = await pool.query("SELECT current_setting('app.current_tenant_id', true) AS tenant, (SELECT count(*)::int FROM lead) AS n");
    expect(after.rows[0]).toEqual({ tenant: "", n: 0 });
  });

  it("is read-only, and a failed statement leaves the connection usable", async () => {
    const write = reads.inTenant(tenantA, (db) => db.rows(Prisma.sql`DELETE FROM lead`));
    await expect(write).rejects.toThrow(/read-only transaction/);
    expect((await admin.query("SELECT count(*)::int AS n FROM lead WHERE tenant_id = $1", [tenantA])).rows[0].n).toBe(3);
    expect(await reads.inTenant(tenantA, (db) => db.rows<{ n: number }>(countAllLeads))).toEqual([{ n: 3 }]);
  });

  it("refuses a tenant that is not a UUID before it reaches the database", async () => {
    await expect(reads.inTenant("x', true); DROP TABLE lead; --", (db) => db.rows(countAllLeads))).rejects.toThrow(/not a UUID/);
    expect(statements).toEqual([]);
    expect((await admin.query("SELECT count(*)::int AS n FROM lead")).rows[0].n).toBe(5);
  });

  it("sends each statement with its tenant setting in one round trip, and leaves no transaction open in between", async () => {
    const sent: unknown[] = [];
    const client = await pool.connect();
    const query = client.query.bind(client);
    client.query = ((config: unknown, ...rest: unknown[]) => {
      sent.push(config);
      return (query as (...args: unknown[]) => unknown)(config, ...rest);
    }) as typeof client.query;
    client.release();
    try {
      const between = await reads.inTenant(tenantA, async (db) => {
        const [{ pid }] = await db.rows<{ pid: number }>(Prisma.sql`SELECT pg_backend_pid() AS pid`);
        // Between two statements of one use, the connection sits outside any transaction.
        const seen = await admin.query("SELECT state, backend_xid, backend_xmin FROM pg_stat_activity WHERE pid = $1", [pid]);
        const counted = await db.rows<{ n: number }>(countAllLeads);
        return { state: seen.rows[0], counted };
      });
      expect(between.counted).toEqual([{ n: 3 }]);
      expect(between.state).toEqual({ state: "idle", backend_xid: null, backend_xmin: null });
      expect(sent).toHaveLength(2);
    } finally {
      const again = await pool.connect();
      delete (again as { query?: unknown }).query; // back to the prototype's
      again.release();
    }
  });

  it("keeps pg's prepared statements straight when a statement fails to parse or to run", async () => {
    const bad = Prisma.sql`SELECT no_such_column FROM lead WHERE tenant_id = ${tenantA}::uuid`;
    await expect(reads.inTenant(tenantA, (db) => db.rows(bad))).rejects.toThrow(/no_such_column/);
    await expect(reads.inTenant(tenantA, (db) => db.rows(bad))).rejects.toThrow(/no_such_column/);
    const failsAtRun = Prisma.sql`SELECT 1 / (count(*)::int - count(*)::int) AS n FROM lead WHERE tenant_id = ${tenantA}::uuid`;
    await expect(reads.inTenant(tenantA, (db) => db.rows(failsAtRun))).rejects.toThrow(/division by zero/);
    await expect(reads.inTenant(tenantA, (db) => db.rows(failsAtRun))).rejects.toThrow(/division by zero/);
    const good = Prisma.sql`SELECT count(*)::int AS n FROM lead WHERE tenant_id = ${tenantA}::uuid`;
    for (let k = 0; k < 2; k++) expect(await reads.inTenant(tenantA, (db) => db.rows(good))).toEqual([{ n: 3 }]);
    expect(pool.totalCount).toBe(1);
  });

  it("reports each statement it runs (not the tenant setting), parameters bound", async () => {
    const leadIds = (await admin.query("SELECT id FROM lead WHERE tenant_id = $1", [tenantA])).rows.map((row) => row.id);
    const byId = (id: string) => Prisma.sql`SELECT id FROM lead WHERE tenant_id = ${tenantA}::uuid AND id = ${id}::uuid`;
    const found = await reads.inTenant(tenantA, async (db) => [...(await db.rows(byId(leadIds[0]))), ...(await db.rows(byId(leadIds[1])))]);
    expect(found).toEqual([{ id: leadIds[0] }, { id: leadIds[1] }]);
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/^SELECT id FROM lead WHERE tenant_id = \$1::uuid AND id = \$2::uuid$/);
  });
});

describe("RequestReadSession", () => {
  it("runs every batch of a request on one connection, each seeing only the tenant, and returns it on close", async () => {
    const twoConnections = createDatabasePool(database.runtimeUrl, { max: 2 });
    const session = new RequestReadSession(pooledReads(twoConnections), tenantA);
    const seen = Prisma.sql`SELECT pg_backend_pid() AS pid, (SELECT count(*)::int FROM lead) AS n`;
    try {
      const [first, second] = await Promise.all([
        session.inTenant(tenantA, (db) => db.rows<{ pid: number; n: number }>(seen)),
        session.inTenant(tenantA, (db) => db.rows<{ pid: number; n: number }>(seen)),
      ]);
      expect(second[0]).toEqual(first[0]);
      expect(first[0].n).toBe(3);
      expect(twoConnections.totalCount).toBe(1);
      await session.close();
      expect(twoConnections.idleCount).toBe(1);
    } finally {
      await closeDatabasePool(twoConnections);
    }
  });

  it("sends another tenant's work to a transaction of its own", async () => {
    const twoConnections = createDatabasePool(database.runtimeUrl, { max: 2 });
    const session = new RequestReadSession(pooledReads(twoConnections), tenantA);
    try {
      expect(await session.inTenant(tenantA, (db) => db.rows<{ n: number }>(countAllLeads))).toEqual([{ n: 3 }]);
      expect(await session.inTenant(tenantB, (db) => db.rows<{ n: number }>(countAllLeads))).toEqual([{ n: 2 }]);
    } finally {
      await session.close();
      await closeDatabasePool(twoConnections);
    }
  });
});
