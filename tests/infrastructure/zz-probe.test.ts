import { it } from "vitest";
import { createPrismaClient } from "../../src/infrastructure/prisma/prisma-client";
import { tenantScoped } from "../../src/infrastructure/prisma/tenant-db";
import { createTestDatabase } from "../support/test-database";
it("probe", async () => {
  const db = await createTestDatabase();
  const events: string[] = [];
  const client = createPrismaClient(db.runtimeUrl, { onQuery: (e) => events.push(e.query) });
  try {
    await client.$connect();
    events.push("--- connected");
    await tenantScoped(client).inTenant("11111111-1111-4111-8111-111111111111", async (tx) => {
      await tx.lead.findMany({ where: { tenantId: "11111111-1111-4111-8111-111111111111" } });
      await tx.activity.count();
    });
    events.push("--- after tx");
    await client.lead.findMany();
    events.push("--- after plain");
    await client.$transaction([client.lead.count(), client.activity.count()]);
    events.push("--- after batch");
    await tenantScoped(client).inTenant("11111111-1111-4111-8111-111111111111", async () => { throw new Error("x"); }).catch(() => {});
    events.push("--- after rollback");
    const rdm = (client as any)._runtimeDataModel;
    console.log(Object.keys(rdm.models));
    console.log(events.join("\n"));
  } finally {
    await client.$disconnect();
    await db.drop();
  }
});
