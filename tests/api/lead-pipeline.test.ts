import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";
import {
  aCapture, ASSIGN, CAPTURE, CONTACT, CONVERT, DELETE, LEAD, LOG_ACTIVITY, LOSE, PIPELINE, QUALIFY, REOPEN, TAG, UNTAG, UPDATE_CONTACT,
} from "./operations";

let service: TestService;
let rep: Caller;

beforeAll(async () => {
  service = await startTestService();
  rep = await service.caller({ roles: ["sales_rep"] });
});
afterAll(() => service?.stop());

async function capture(overrides: Record<string, unknown> = {}) {
  return dataOf(await rep.gql(CAPTURE, { input: aCapture(overrides) })).captureLead;
}

describe("the lead's life through the API", () => {
  it("captures a lead with normalised values, version 1 and its score", async () => {
    const lead = await capture({
      name: "  Ada Lovelace ",
      email: "  Ada@Example.COM ",
      phone: "+44 (20) 7946-0018",
      company: "  ",
      source: "REFERRAL",
      tags: [" VIP ", "vip", "uk"],
      estimatedValue: { amountMinor: 150000, currency: "gbp" },
      ownerId: rep.userId,
      campaignId: "7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4f",
    });
    expect(lead).toMatchObject({
      name: "Ada Lovelace",
      email: "ada@example.com",
      phone: "+442079460018",
      company: null,
      status: "NEW",
      version: 1,
      tags: ["vip", "uk"],
      estimatedValue: { amountMinor: 150000, currency: "GBP" },
      owner: { id: rep.userId },
      campaign: { id: "7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4f" },
      // REFERRAL 30 + phone 10 + value >= 100,000 10
      score: 50,
      convertedAt: null,
    });
  });

  it("runs NEW -> CONTACTED -> QUALIFIED -> CONVERTED with versions and scores", async () => {
    const lead = await capture({ source: "EVENT" });
    const assigned = dataOf(await rep.gql(ASSIGN, { id: lead.id, ownerId: rep.userId, v: 1 })).assignLead;
    expect(assigned).toMatchObject({ version: 2, owner: { id: rep.userId } });
    const contacted = dataOf(await rep.gql(CONTACT, { id: lead.id, v: 2 })).markLeadContacted;
    expect(contacted).toMatchObject({ status: "CONTACTED", version: 3 });
    const qualified = dataOf(await rep.gql(QUALIFY, { id: lead.id, value: { amountMinor: 2_000_000, currency: "EUR" }, v: 3 })).qualifyLead;
    // EVENT 25 + value >= 1,000,000 20 + QUALIFIED 10
    expect(qualified).toMatchObject({ status: "QUALIFIED", version: 4, score: 55, estimatedValue: { amountMinor: 2_000_000, currency: "EUR" } });
    const converted = dataOf(await rep.gql(CONVERT, { id: lead.id, v: 4 })).convertLead;
    expect(converted).toMatchObject({ status: "CONVERTED", version: 5, score: 100 });
    expect(Date.parse(converted.convertedAt)).toBeGreaterThan(Date.parse(lead.createdAt) - 1);
  });

  it("loses a lead with a reason and reopens it, clearing the reason", async () => {
    const lead = await capture();
    const lost = dataOf(await rep.gql(LOSE, { id: lead.id, reason: " No budget " })).markLeadLost;
    expect(lost).toMatchObject({ status: "LOST", lostReason: "No budget", score: 0, version: 2 });
    const reopened = dataOf(await rep.gql(REOPEN, { id: lead.id })).reopenLead;
    expect(reopened).toMatchObject({ status: "NEW", lostReason: null, score: 20, version: 3 });
  });

  it("updates contact data: omitted fields stay, null clears phone and company", async () => {
    const lead = await capture({ phone: "+15555550100", company: "Acme" });
    const updated = dataOf(await rep.gql(UPDATE_CONTACT, { input: { id: lead.id, name: "New Name", phone: null } })).updateLeadContact;
    expect(updated).toMatchObject({ name: "New Name", phone: null, company: "Acme", email: lead.email, version: 2 });
    const same = dataOf(await rep.gql(UPDATE_CONTACT, { input: { id: lead.id, name: "New Name" } })).updateLeadContact;
    expect(same.version).toBe(2);
  });

  it("logs activities (also on a converted lead) and lists them newest first", async () => {
    const lead = await capture();
    const older = dataOf(await rep.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "CALL", summary: "first call", occurredAt: "2026-01-01T10:00:00.000Z" } })).logLeadActivity;
    expect(older).toMatchObject({ type: "CALL", summary: "first call", occurredAt: "2026-01-01T10:00:00.000Z", actor: { id: rep.userId } });
    await rep.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "NOTE", summary: "a note" } });
    const read = dataOf(await rep.gql(LEAD, { id: lead.id })).lead;
    expect(read.version).toBe(3);
    expect(read.score).toBe(30); // WEBSITE_FORM 20 + 2 activities * 5
    expect(read.activities.totalCount).toBe(2);
    expect(read.activities.edges.map((e: any) => e.node.summary)).toEqual(["a note", "first call"]);
  });

  it("tags and untags: duplicates are no-ops that keep the version", async () => {
    const lead = await capture({ tags: ["a"] });
    const tagged = dataOf(await rep.gql(TAG, { id: lead.id, tags: ["B", "a"] })).tagLead;
    expect(tagged).toMatchObject({ tags: ["a", "b"], version: 2 });
    const again = dataOf(await rep.gql(TAG, { id: lead.id, tags: ["b"] })).tagLead;
    expect(again.version).toBe(2);
    const untagged = dataOf(await rep.gql(UNTAG, { id: lead.id, tags: ["a", "zzz"] })).untagLead;
    expect(untagged).toMatchObject({ tags: ["b"], version: 3 });
  });

  it("refuses transitions the state machine does not allow, with from and to", async () => {
    const lead = await capture();
    const error = errorOf(await rep.gql(CONVERT, { id: lead.id }));
    expect(error).toMatchObject({ code: "INVALID_TRANSITION", extensions: { from: "NEW", to: "CONVERTED" } });
    const noOwner = errorOf(await rep.gql(QUALIFY, { id: lead.id, value: { amountMinor: 100, currency: "USD" } }));
    expect(noOwner.code).toBe("INVALID_TRANSITION");
    dataOf(await rep.gql(CONTACT, { id: lead.id }));
    expect(errorOf(await rep.gql(CONTACT, { id: lead.id })).code).toBe("INVALID_TRANSITION");
  });

  it("a converted lead is closed to everything but activities, tags and deletion", async () => {
    const lead = await capture({ ownerId: rep.userId });
    dataOf(await rep.gql(QUALIFY, { id: lead.id, value: { amountMinor: 100, currency: "USD" } }));
    dataOf(await rep.gql(CONVERT, { id: lead.id }));
    for (const [query, variables] of [
      [UPDATE_CONTACT, { input: { id: lead.id, name: "x" } }],
      [ASSIGN, { id: lead.id, ownerId: randomUUID() }],
      [LOSE, { id: lead.id, reason: "r" }],
      [REOPEN, { id: lead.id }],
    ] as const) {
      expect(errorOf(await rep.gql(query, variables)).code).toBe("INVALID_TRANSITION");
    }
    dataOf(await rep.gql(TAG, { id: lead.id, tags: ["won"] }));
    dataOf(await rep.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "MEETING", summary: "kickoff" } }));
  });

  it("deletes a lead (admins only) so it no longer exists", async () => {
    const lead = await capture();
    expect(errorOf(await rep.gql(DELETE, { id: lead.id })).code).toBe("FORBIDDEN");
    const admin = await service.caller({ tenantId: rep.tenantId, roles: ["admin"] });
    expect(dataOf(await admin.gql(DELETE, { id: lead.id })).deleteLead).toBe(lead.id);
    expect(dataOf(await rep.gql(LEAD, { id: lead.id })).lead).toBeNull();
    expect(errorOf(await admin.gql(DELETE, { id: lead.id })).code).toBe("NOT_FOUND");
  });

  it("summarises the pipeline: all five stages, sums per currency as strings, conversion rate", async () => {
    const tenantCaller = await service.caller({ roles: ["sales_rep"] });
    const mk = async (overrides: Record<string, unknown>) => dataOf(await tenantCaller.gql(CAPTURE, { input: aCapture(overrides) })).captureLead;
    await mk({ estimatedValue: { amountMinor: 2_000_000_000, currency: "USD" } });
    await mk({ estimatedValue: { amountMinor: 2_000_000_000, currency: "USD" } });
    await mk({ estimatedValue: { amountMinor: 5, currency: "EUR" } });
    const lost = await mk({});
    await tenantCaller.gql(LOSE, { id: lost.id, reason: "gone" });
    const summary = dataOf(await tenantCaller.gql(PIPELINE)).pipelineSummary;
    expect(summary.totalLeads).toBe(4);
    expect(summary.conversionRate).toBe(0);
    expect(summary.stages.map((s: any) => s.status)).toEqual(["NEW", "CONTACTED", "QUALIFIED", "CONVERTED", "LOST"]);
    const newStage = summary.stages[0];
    expect(newStage.count).toBe(3);
    expect(newStage.estimatedValue).toEqual(
      expect.arrayContaining([{ amountMinor: "4000000000", currency: "USD" }, { amountMinor: "5", currency: "EUR" }]),
    );
    expect(summary.stages[4]).toMatchObject({ status: "LOST", count: 1, estimatedValue: [] });
  });
});
