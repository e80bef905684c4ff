import { randomUUID } from "node:crypto";
import { Client, type Pool } from "pg";
import { closeDatabasePool, createDatabasePool } from "../../src/infrastructure/database-pool";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Prisma } from "../../src/infrastructure/prisma/generated/client";
import { RequestReadSession } from "../../src/infrastructure/read-store/request-read-session";
import { pooledReads, type TenantReads } from "../../src/infrastructure/read-store/tenant-reads";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

// The query side's way into PostgreSQL: node-postgres directly, one read-only
// transaction per use with the tenant set transaction-locally.

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

  it("reports each statement it runs (not BEGIN, the tenant setting or COMMIT), parameters bound", async () => {
    const leadIds = (await admin.query("SELECT id FROM lead WHERE tenant_id = $1", [tenantA])).rows.map((row) => row.id);
    const byId = (id: string) => Prisma.sql`SELECT id FROM lead WHERE tenant_id = ${tenantA}::uuid AND id = ${id}::uuid`;
    const found = await reads.inTenant(tenantA, async (db) => [...(await db.rows(byId(leadIds[0]))), ...(await db.rows(byId(leadIds[1])))]);
    expect(found).toEqual([{ id: leadIds[0] }, { id: leadIds[1] }]);
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/^SELECT id FROM lead WHERE tenant_id = \$1::uuid AND id = \$2::uuid$/);
  });
});

describe("RequestReadSession", () => {
  it("runs every batch of a request in one transaction and ends it on close", async () => {
    const session = new RequestReadSession(reads, tenantA);
    const startedAt = Prisma.sql`SELECT now() AS at, pg_backend_pid() AS pid`;
    const [first, second] = await Promise.all([
      session.inTenant(tenantA, (db) => db.rows<{ at: Date; pid: number }>(startedAt)),
      session.inTenant(tenantA, (db) => db.rows<{ at: Date; pid: number }>(startedAt)),
    ]);
    // now() is the transaction's start: equal only inside one transaction.
    expect(second[0]).toEqual(first[0]);
    await session.close();
    expect(pool.idleCount).toBe(1);
    const later = await reads.inTenant(tenantA, (db) => db.rows<{ at: Date }>(startedAt));
    expect(later[0].at.getTime()).toBeGreaterThan(first[0].at.getTime());
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
