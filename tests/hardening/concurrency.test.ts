import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, ASSIGN, CAPTURE, CONTACT, LEAD, LOG_ACTIVITY } from "../api/operations";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";

let service: TestService;
let rep: Caller;

beforeAll(async () => {
  service = await startTestService({ DATABASE_POOL_MAX: "20" });
  rep = await service.caller({ roles: ["sales_rep"] });
});
afterAll(() => service?.stop());

describe("concurrent writers on one lead", () => {
  it("50 parallel activities and status changes: contiguous versions, nothing lost, score and events consistent", async () => {
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture({ ownerId: rep.userId }) })).captureLead;
    const writes = [
      ...Array.from({ length: 49 }, (_, i) => rep.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "NOTE", summary: `note ${i}` } })),
      rep.gql(CONTACT, { id: lead.id }),
    ];
    const results = await Promise.all(writes);
    expect(results.filter((result) => result.errors)).toEqual([]);

    const after = dataOf(await rep.gql(LEAD, { id: lead.id })).lead;
    expect(after.version).toBe(51);
    expect(after.activities.totalCount).toBe(49);
    expect(after.status).toBe("CONTACTED");
    expect(after.score).toBe(20 + 25); // WEBSITE_FORM + activities capped at 25

    const admin = new Client({ connectionString: service.database.adminUrl });
    await admin.connect();
    try {
      const rows = (await admin.query(`SELECT event_type, version FROM outbox WHERE aggregate_id = $1 ORDER BY seq`, [lead.id])).rows;
      const versions = [...new Set(rows.map((row) => row.version))];
      expect(versions).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
      expect(rows.map((row) => row.version)).toEqual([...rows.map((row) => row.version)].sort((a, b) => a - b));
      expect(rows.filter((row) => row.event_type === "LeadActivityLogged")).toHaveLength(49);
    } finally {
      await admin.end();
    }
  });

  it("50 parallel writers with the same expectedVersion: exactly one wins", async () => {
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => rep.gql(ASSIGN, { id: lead.id, ownerId: crypto.randomUUID(), v: 1 })),
    );
    const winners = results.filter((result) => result.data?.assignLead);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((result) => !result.data?.assignLead)) {
      expect(errorOf(loser)).toMatchObject({ code: "CONFLICT", extensions: { actualVersion: 2 } });
    }
  });

  it("20 parallel captures of one email: exactly one lead", async () => {
    const input = aCapture();
    const results = await Promise.all(Array.from({ length: 20 }, () => rep.gql(CAPTURE, { input })));
    const created = results.filter((result) => result.data?.captureLead);
    expect(created).toHaveLength(1);
    for (const refused of results.filter((result) => !result.data?.captureLead)) {
      expect(errorOf(refused)).toMatchObject({ code: "LEAD_ALREADY_EXISTS", extensions: { existingLeadId: created[0].data!.captureLead.id } });
    }
  });
});
