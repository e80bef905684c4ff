import { randomUUID } from "node:crypto";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignLead } from "../../src/application/commands/assign-lead";
import { captureLead, type CaptureLeadInput } from "../../src/application/commands/capture-lead";
import type { CommandDeps } from "../../src/application/commands/command-deps";
import { tagLead } from "../../src/application/commands/tag-lead";
import { updateLeadContact } from "../../src/application/commands/update-lead-contact";
import type { UnitOfWork } from "../../src/application/unit-of-work";
import { LeadAlreadyExistsError, VersionConflictError } from "../../src/domain/shared/domain-error";
import { closeDatabasePool, createDatabasePool } from "../../src/infrastructure/database-pool";
import type { PrismaClient } from "../../src/infrastructure/prisma/generated/client";
import { createPrismaClient } from "../../src/infrastructure/prisma/prisma-client";
import { oneStatementTransactions } from "../../src/infrastructure/prisma/one-statement-writes";
import { PrismaUnitOfWork } from "../../src/infrastructure/prisma/prisma-unit-of-work";
import { tenantScoped, type TenantScopedPrisma } from "../../src/infrastructure/prisma/tenant-db";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

let database: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let scoped: TenantScopedPrisma;
let deps: CommandDeps;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createDatabasePool(database.runtimeUrl, { max: 30 });
  prisma = createPrismaClient(pool);
  scoped = tenantScoped(prisma);
  deps = { unitOfWork: new PrismaUnitOfWork(scoped, oneStatementTransactions(pool)), clock: () => new Date(), newId: randomUUID };
});
afterAll(async () => {
  await prisma?.$disconnect();
  if (pool) await closeDatabasePool(pool);
  await database?.drop();
});

const anActor = () => ({ tenantId: randomUUID(), userId: randomUUID() });
const aLeadInput = (email = `${randomUUID()}@example.com`): CaptureLeadInput => ({ name: "Lead", email, source: "OTHER" });

function outboxOf(tenantId: string, leadId: string) {
  return scoped.inTenant(tenantId, (db) =>
    db.outboxEvent.findMany({ where: { tenantId, aggregateId: leadId }, orderBy: { seq: "asc" } }),
  );
}

describe("optimistic concurrency", () => {
  it("two writers on one version: exactly one wins, the other gets CONFLICT", async () => {
    const actor = anActor();
    const lead = await captureLead(deps, actor, aLeadInput());
    const results = await Promise.allSettled(
      [randomUUID(), randomUUID()].map((ownerId) => assignLead(deps, actor, { id: lead.id, ownerId, expectedVersion: 1 })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(VersionConflictError);
    expect((rejected.reason as VersionConflictError).details.actualVersion).toBe(2);
  });

  it("without expectedVersion, concurrent commands queue: none fails, none is lost", async () => {
    const actor = anActor();
    const lead = await captureLead(deps, actor, aLeadInput());
    const tags = Array.from({ length: 15 }, (_, i) => `t${i}`);
    await Promise.all(tags.map((tag) => tagLead(deps, actor, { id: lead.id, tags: [tag] })));
    const stored = await scoped.inTenant(actor.tenantId, (db) => db.lead.findUniqueOrThrow({ where: { tenantId_id: { tenantId: actor.tenantId, id: lead.id } } }));
    expect(stored.version).toBe(16);
    expect([...stored.tags].sort()).toEqual([...tags].sort());
    const versions = (await outboxOf(actor.tenantId, lead.id)).map((row) => row.version);
    expect(versions).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });
});

describe("email uniqueness", () => {
  it("is per tenant: a second capture in the tenant is LEAD_ALREADY_EXISTS, another tenant is fine", async () => {
    const actor = anActor();
    const email = `${randomUUID()}@example.com`;
    const first = await captureLead(deps, actor, aLeadInput(email));
    await expect(captureLead(deps, actor, aLeadInput(email.toUpperCase()))).rejects.toMatchObject({
      code: "LEAD_ALREADY_EXISTS",
      details: { existingLeadId: first.id },
    });
    await expect(captureLead(deps, anActor(), aLeadInput(email))).resolves.toMatchObject({ email });
  });

  it("holds under 20 concurrent captures of one address: exactly one lead", async () => {
    const actor = anActor();
    const email = `${randomUUID()}@example.com`;
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => captureLead(deps, actor, aLeadInput(email))));
    const won = results.filter((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ id: string }>[];
    expect(won).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected") as PromiseRejectedResult[]) {
      expect(r.reason).toBeInstanceOf(LeadAlreadyExistsError);
      expect(r.reason.details.existingLeadId).toBe(won[0].value.id);
    }
    const count = await scoped.inTenant(actor.tenantId, (db) => db.lead.count({ where: { tenantId: actor.tenantId } }));
    expect(count).toBe(1);
  });

  it("holds between captures and contact updates claiming one address at once: one holder, the others LEAD_ALREADY_EXISTS", async () => {
    const actor = anActor();
    const movers = await Promise.all(Array.from({ length: 5 }, () => captureLead(deps, actor, aLeadInput())));
    for (let round = 0; round < 3; round++) {
      const email = `${randomUUID()}@example.com`;
      const claims = await Promise.allSettled([
        ...movers.map((lead) => updateLeadContact(deps, actor, { id: lead.id, email })),
        ...Array.from({ length: 5 }, () => captureLead(deps, actor, aLeadInput(email))),
      ]);
      const won = claims.filter((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ id: string }>[];
      expect(won).toHaveLength(1);
      for (const r of claims.filter((r) => r.status === "rejected") as PromiseRejectedResult[]) {
        expect(r.reason).toBeInstanceOf(LeadAlreadyExistsError);
        expect(r.reason.details.existingLeadId).toBe(won[0].value.id);
      }
      const holders = await scoped.inTenant(actor.tenantId, (db) => db.lead.count({ where: { tenantId: actor.tenantId, email } }));
      expect(holders).toBe(1);
    }
  });

  it("writes a refused capture's event nowhere", async () => {
    const actor = anActor();
    const email = `${randomUUID()}@example.com`;
    const first = await captureLead(deps, actor, aLeadInput(email));
    await expect(captureLead(deps, actor, aLeadInput(email))).rejects.toBeInstanceOf(LeadAlreadyExistsError);
    const events = await scoped.inTenant(actor.tenantId, (db) => db.outboxEvent.findMany({ where: { tenantId: actor.tenantId } }));
    expect(events.map((row) => [row.aggregateId, row.eventType])).toEqual([[first.id, "LeadCaptured"]]);
  });
});

describe("the transactional outbox", () => {
  it("stores each change's events with the lead's new version", async () => {
    const actor = anActor();
    const lead = await captureLead(deps, actor, aLeadInput());
    await assignLead(deps, actor, { id: lead.id, ownerId: actor.userId });
    const rows = await outboxOf(actor.tenantId, lead.id);
    expect(rows.map((row) => [row.eventType, row.version])).toEqual([
      ["LeadCaptured", 1],
      ["LeadAssigned", 2],
    ]);
    expect(rows[1].payload).toEqual({ from: null, to: actor.userId });
    expect(rows[1].publishedAt).toBeNull();
    expect((rows[1].leadSnapshot as { version: number }).version).toBe(2);
  });

  it("a failure after the change leaves neither the change nor its events", async () => {
    const actor = anActor();
    const lead = await captureLead(deps, actor, aLeadInput());
    const failingAfterOutbox: UnitOfWork = {
      addNewLead: deps.unitOfWork.addNewLead.bind(deps.unitOfWork),
      run: (tenantId, work) =>
        deps.unitOfWork.run(tenantId, (tx) =>
          work({
            leads: tx.leads,
            outbox: {
              async append(events, leadAfter) {
                await tx.outbox.append(events, leadAfter);
                throw new Error("crash after the outbox write");
              },
              appendEach: (batches) => tx.outbox.appendEach(batches),
            },
          }),
        ),
    };
    await expect(assignLead({ ...deps, unitOfWork: failingAfterOutbox }, actor, { id: lead.id, ownerId: actor.userId })).rejects.toThrow(
      "crash after the outbox write",
    );
    const stored = await scoped.inTenant(actor.tenantId, (db) => db.lead.findUniqueOrThrow({ where: { tenantId_id: { tenantId: actor.tenantId, id: lead.id } } }));
    expect(stored).toMatchObject({ version: 1, ownerId: null });
    expect((await outboxOf(actor.tenantId, lead.id)).map((row) => row.eventType)).toEqual(["LeadCaptured"]);
  });
});
