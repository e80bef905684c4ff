import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../src/infrastructure/prisma/generated/client";
import { createPrismaClient } from "../../src/infrastructure/prisma/prisma-client";
import { tenantScoped, type TenantScopedPrisma } from "../../src/infrastructure/prisma/tenant-db";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

// createPrismaClient(url, { onQuery }) is what SQL metrics and the tests' SQL
// statement budgets count with. What Prisma 7.10 over @prisma/adapter-pg
// really reports, pinned here so an upgrade that changes it is noticed:
// - one event per statement that succeeds, with its SQL text and duration;
// - an interactive transaction reports its COMMIT (or ROLLBACK) but not its
//   BEGIN: the adapter opens the transaction itself, outside the query log
//   (the BEGIN is real: the backend is "idle in transaction" meanwhile);
// - a statement the database rejects is not reported at all.
// So `inTenant` with two queries yields exactly: set_config, query, query, COMMIT.

const SET_TENANT = /^SELECT set_config\('app\.current_tenant_id', \$1, true\)$/;

let database: TestDatabase;
let admin: Client;
let prisma: PrismaClient;
let scoped: TenantScopedPrisma;
let events: { query: string; durationMs: number }[] = [];
const tenantA = randomUUID();
const tenantB = randomUUID();
const leadOfA = randomUUID();

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new Client({ connectionString: database.adminUrl });
  await admin.connect();
  for (const [tenantId, id] of [
    [tenantA, leadOfA],
    [tenantB, randomUUID()],
  ]) {
    await admin.query(
      `INSERT INTO lead (tenant_id, id, name, email, source, status, score, version, created_at, updated_at)
       VALUES ($1, $2, 'Lead', $3, 'OTHER', 'NEW', 5, 1, now(), now())`,
      [tenantId, id, `${id}@example.com`],
    );
  }
  prisma = createPrismaClient(database.runtimeUrl, { poolMax: 2, onQuery: (event) => events.push(event) });
  scoped = tenantScoped(prisma);
  await prisma.$connect();
});
beforeEach(() => {
  events = [];
});
afterAll(async () => {
  await prisma?.$disconnect();
  await admin?.end();
  await database?.drop();
});

const statements = () => events.map((event) => event.query);

describe("onQuery", () => {
  it("inTenant with two queries reports the set_config, the two statements and COMMIT, in that order (no BEGIN)", async () => {
    const result = await scoped.inTenant(tenantA, async (db) => {
      const leads = await db.lead.findMany({ where: { tenantId: tenantA } });
      const activities = await db.activity.count({ where: { tenantId: tenantA } });
      return { leads, activities };
    });
    expect(result.leads.map((lead) => lead.id)).toEqual([leadOfA]);
    expect(result.activities).toBe(0);

    const seen = statements();
    expect(seen).toHaveLength(4);
    expect(seen[0]).toMatch(SET_TENANT);
    expect(seen[1]).toMatch(/^SELECT .* FROM "public"\."lead" WHERE /);
    expect(seen[2]).toMatch(/^SELECT COUNT\(\*\).* FROM "public"\."activity" WHERE /);
    expect(seen[3]).toBe("COMMIT");
    expect(seen.some((query) => /^\s*BEGIN/i.test(query))).toBe(false);
    for (const event of events) {
      expect(typeof event.durationMs).toBe("number");
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("the unreported BEGIN is real: the queries share one transaction that holds the tenant", async () => {
    const inside = await scoped.inTenant(tenantA, async (db) => {
      const [row] = await db.$queryRaw<{ tenant: string; xid: string; pid: number }[]>`
        SELECT current_setting('app.current_tenant_id', true) AS tenant, pg_current_xact_id()::text AS xid, pg_backend_pid() AS pid`;
      const [again] = await db.$queryRaw<{ xid: string }[]>`SELECT pg_current_xact_id()::text AS xid`;
      const seenByServer = await admin.query(`SELECT state FROM pg_stat_activity WHERE pid = $1`, [row.pid]);
      return { tenant: row.tenant, sameTransaction: row.xid === again.xid, state: seenByServer.rows[0]?.state };
    });
    expect(inside).toEqual({ tenant: tenantA, sameTransaction: true, state: "idle in transaction" });
    expect(statements().map((query) => query.trim().split(/\s+/)[0])).toEqual(["SELECT", "SELECT", "SELECT", "COMMIT"]);
  });

  it("a query outside a transaction reports exactly itself: no BEGIN, no COMMIT", async () => {
    const leads = await prisma.lead.findMany();
    expect(leads).toEqual([]); // no tenant set: row-level security shows nothing
    expect(statements()).toHaveLength(1);
    expect(statements()[0]).toMatch(/^SELECT .* FROM "public"\."lead" WHERE 1=1/);
  });

  it("a findMany with an include reports each statement Prisma sends (two here: leads, then their activities)", async () => {
    await scoped.inTenant(tenantA, (db) => db.lead.findMany({ where: { tenantId: tenantA }, include: { activities: true } }));
    const seen = statements();
    expect(seen).toHaveLength(4);
    expect(seen[1]).toMatch(/FROM "public"\."lead"/);
    expect(seen[2]).toMatch(/FROM "public"\."activity"/);
    expect(seen[3]).toBe("COMMIT");
  });

  it("a batch $transaction([...]) reports its statements and COMMIT", async () => {
    const [leads, activities] = await prisma.$transaction([prisma.lead.count(), prisma.activity.count()]);
    expect([leads, activities]).toEqual([0, 0]);
    const seen = statements();
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatch(/FROM "public"\."lead"/);
    expect(seen[1]).toMatch(/FROM "public"\."activity"/);
    expect(seen[2]).toBe("COMMIT");
  });

  it("work that throws reports the set_config and ROLLBACK, and the tenant does not outlive it", async () => {
    await expect(
      scoped.inTenant(tenantA, async () => {
        throw new Error("the command failed");
      }),
    ).rejects.toThrow("the command failed");
    expect(statements()).toHaveLength(2);
    expect(statements()[0]).toMatch(SET_TENANT);
    expect(statements()[1]).toBe("ROLLBACK");
    expect(await prisma.lead.count()).toBe(0);
  });

  it("a statement the database refuses is not reported (here an insert for another tenant, refused by row-level security)", async () => {
    const intruder = randomUUID();
    await expect(
      scoped.inTenant(tenantA, (db) =>
        db.lead.create({
          data: { tenantId: tenantB, id: intruder, name: "x", email: `${intruder}@example.com`, source: "OTHER", status: "NEW", score: 1, version: 1, createdAt: new Date(), updatedAt: new Date() },
        }),
      ),
    ).rejects.toThrow(/row-level security/);
    expect(statements()).toHaveLength(2);
    expect(statements()[0]).toMatch(SET_TENANT);
    expect(statements()[1]).toBe("ROLLBACK");
    expect((await admin.query(`SELECT count(*)::int AS n FROM lead WHERE id = $1`, [intruder])).rows[0].n).toBe(0);
  });

  it("a client made without onQuery reports nothing to an earlier client's listener", async () => {
    const quiet = createPrismaClient(database.runtimeUrl, { poolMax: 1 });
    try {
      await tenantScoped(quiet).inTenant(tenantA, (db) => db.lead.count());
    } finally {
      await quiet.$disconnect();
    }
    expect(statements()).toEqual([]);
  });
});
