import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

let database: TestDatabase;
let admin: Client;
let relayOne: Client;
let relayTwo: Client;

async function addEvents(tenantId: string, leadId: string, types: string[]): Promise<void> {
  for (const [index, type] of types.entries()) {
    await admin.query(
      `INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, occurred_at)
       VALUES ($1, $2, $3, $4, $5, '{"email":"personal@example.com"}', '{"name":"Personal"}', now())`,
      [tenantId, randomUUID(), leadId, type, index + 1],
    );
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new Client({ connectionString: database.adminUrl });
  relayOne = new Client({ connectionString: database.runtimeUrl });
  relayTwo = new Client({ connectionString: database.runtimeUrl });
  await Promise.all([admin.connect(), relayOne.connect(), relayTwo.connect()]);
});
afterAll(async () => {
  await Promise.all([relayOne?.end(), relayTwo?.end(), admin?.end()]);
  await database?.drop();
});

describe("claiming the outbox", () => {
  it("returns a lead's events in order, skips leads another relay holds, and marks them published", async () => {
    const tenant = randomUUID();
    const [first, second] = [randomUUID(), randomUUID()];
    await addEvents(tenant, first, ["LeadCaptured", "LeadAssigned", "LeadStatusChanged"]);
    await addEvents(tenant, second, ["LeadCaptured"]);

    await relayOne.query("BEGIN");
    const claimedByOne = (await relayOne.query(`SELECT aggregate_id, version FROM crm_claim_outbox(3)`)).rows;
    expect(claimedByOne).toEqual([1, 2, 3].map((version) => ({ aggregate_id: first, version })));

    await relayTwo.query("BEGIN");
    const claimedByTwo = (await relayTwo.query(`SELECT aggregate_id, version, id, tenant_id FROM crm_claim_outbox(10)`)).rows;
    expect(claimedByTwo.map((row) => row.aggregate_id)).toEqual([second]);
    await relayTwo.query(`SELECT crm_mark_outbox_published($1::uuid[], $2::uuid[])`, [claimedByTwo.map((r) => r.id), claimedByTwo.map((r) => r.tenant_id)]);
    await relayTwo.query("COMMIT");

    await relayOne.query("ROLLBACK"); // a relay that crashed before marking: its events stay for the next claim
    await relayOne.query("BEGIN");
    const again = (await relayOne.query(`SELECT aggregate_id, version FROM crm_claim_outbox(10)`)).rows;
    expect(again).toEqual([1, 2, 3].map((version) => ({ aggregate_id: first, version })));
    await relayOne.query("ROLLBACK");
  });

  it("scrubs a deleted lead's personal data once its LeadDeleted is published", async () => {
    const tenant = randomUUID();
    const [erased, kept] = [randomUUID(), randomUUID()];
    await addEvents(tenant, erased, ["LeadCaptured", "LeadDeleted"]);
    await addEvents(tenant, kept, ["LeadCaptured"]);
    await relayOne.query("BEGIN");
    const rows = (await relayOne.query(`SELECT id, tenant_id FROM crm_claim_outbox(100) WHERE tenant_id = $1`, [tenant])).rows;
    await relayOne.query(`SELECT crm_mark_outbox_published($1::uuid[], $2::uuid[])`, [rows.map((r) => r.id), rows.map((r) => r.tenant_id)]);
    await relayOne.query("COMMIT");
    const after = (await admin.query(`SELECT aggregate_id, event_type, payload, lead_snapshot, published_at FROM outbox WHERE tenant_id = $1`, [tenant])).rows;
    for (const row of after) {
      expect(row.published_at).toBeInstanceOf(Date);
      if (row.aggregate_id === erased) expect([row.payload, row.lead_snapshot]).toEqual([{}, null]);
      else expect(row.payload).toEqual({ email: "personal@example.com" });
    }
    expect(after.filter((row) => row.aggregate_id === erased).map((row) => row.event_type).sort()).toEqual(["LeadCaptured", "LeadDeleted"]);
  });
});
