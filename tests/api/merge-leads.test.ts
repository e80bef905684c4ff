import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/redis-streams";
import { withClient } from "../support/test-database";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { aCapture, ASSIGN, CAPTURE, CONVERT, LEAD, LEADS, LOG_ACTIVITY, QUALIFY, TAG } from "./operations";

// RULES: Increment 2a, Merge.
const MERGE = `mutation Merge($s: ID!, $d: ID!, $v: Int) { mergeLeads(survivorId: $s, duplicateId: $d, expectedVersion: $v) {
  id name email phone company source status score version tags
  estimatedValue { amountMinor currency } owner { id } campaign { id }
  activities(first: 10) { totalCount edges { node { id type summary occurredAt actor { id } } } } } }`;
const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Lead { id name } } }`;

let service: TestService;
let admin: Caller;

beforeAll(async () => {
  service = await startTestService();
  admin = await service.caller({ roles: ["admin"] });
});
afterAll(() => service?.stop());

async function capture(caller: Caller, input: Record<string, unknown> = {}) {
  return dataOf(await caller.gql(CAPTURE, { input: aCapture(input) })).captureLead;
}

async function outboxOf(tenantId: string, leadId: string) {
  return withClient(service.database.adminUrl, async (db) =>
    (
      await db.query(
        `SELECT event_type, version, payload, lead_snapshot, published_at FROM outbox WHERE tenant_id = $1 AND aggregate_id = $2 ORDER BY seq`,
        [tenantId, leadId],
      )
    ).rows,
  );
}

describe("mergeLeads", () => {
  it("fills the survivor's missing fields, unions tags, moves activities with ids, actors and times, rescores, bumps the version; the duplicate is erased", async () => {
    const rep = await service.caller({ tenantId: admin.tenantId, roles: ["sales_rep"] });
    const campaignId = randomUUID();
    const survivor = await capture(admin, { name: "Sam Survivor", tags: ["a", "b"] });
    const mine = dataOf(await admin.gql(LOG_ACTIVITY, { leadId: survivor.id, input: { type: "NOTE", summary: "survivor's note" } })).logLeadActivity;
    const secret = `Dupe ${randomUUID().slice(0, 8)}`;
    const duplicate = await capture(rep, {
      name: secret,
      phone: "+14155550199",
      company: "Dupe Co",
      ownerId: rep.userId,
      campaignId,
      estimatedValue: { amountMinor: 100_000, currency: "EUR" },
      tags: ["b", "c"],
    });
    const moved = [];
    for (const [type, summary, occurredAt] of [["CALL", "first call", "2026-01-02T03:04:05.000Z"], ["MEETING", "met", "2026-02-03T04:05:06.000Z"]]) {
      moved.push(dataOf(await rep.gql(LOG_ACTIVITY, { leadId: duplicate.id, input: { type, summary, occurredAt } })).logLeadActivity);
    }
    const before = dataOf(await admin.gql(LEAD, { id: survivor.id })).lead;

    const merged = dataOf(await rep.gql(MERGE, { s: survivor.id, d: duplicate.id, v: before.version })).mergeLeads;
    expect(merged).toMatchObject({
      id: survivor.id,
      name: "Sam Survivor",
      email: survivor.email,
      source: survivor.source,
      status: "NEW",
      phone: "+14155550199",
      company: "Dupe Co",
      owner: { id: rep.userId },
      campaign: { id: campaignId },
      estimatedValue: { amountMinor: 100_000, currency: "EUR" },
      tags: ["a", "b", "c"],
      version: before.version + 1,
      // WEBSITE_FORM 20 + phone 10 + company 10 + 3 activities 15 + 100,000 minor units 10.
      score: 65,
    });
    expect(merged.activities.totalCount).toBe(3);
    expect(merged.activities.edges.map((e: any) => e.node)).toEqual(
      expect.arrayContaining([
        { ...mine, actor: { id: admin.userId } },
        ...moved.map((activity) => ({ ...activity, actor: { id: rep.userId } })),
      ]),
    );
    expect(moved.map((a) => a.occurredAt)).toEqual(["2026-01-02T03:04:05.000Z", "2026-02-03T04:05:06.000Z"]);

    // The duplicate is gone from every read.
    expect(dataOf(await admin.gql(LEAD, { id: duplicate.id })).lead).toBeNull();
    expect(JSON.stringify(dataOf(await admin.gql(LEADS, { first: 100 })).leads)).not.toContain(duplicate.id);
    const entities = dataOf(await admin.gql(ENTITIES, { reps: [{ __typename: "Lead", id: duplicate.id }, { __typename: "Lead", id: survivor.id }] }))._entities;
    expect(entities).toEqual([null, { id: survivor.id, name: "Sam Survivor" }]);
    const leftovers = await withClient(service.database.adminUrl, async (db) => [
      (await db.query(`SELECT count(*)::int AS n FROM lead WHERE id = $1`, [duplicate.id])).rows[0].n,
      (await db.query(`SELECT count(*)::int AS n FROM activity WHERE lead_id = $1`, [duplicate.id])).rows[0].n,
    ]);
    expect(leftovers).toEqual([0, 0]);

    // Events: on the survivor LEAD_MERGED then LEAD_SCORE_CHANGED, one version; on the duplicate LEAD_DELETED {mergedInto}.
    const survivorEvents = (await outboxOf(admin.tenantId, survivor.id)).slice(-2);
    expect(survivorEvents.map((e: any) => [e.event_type, e.version, e.payload])).toEqual([
      ["LeadMerged", before.version + 1, { duplicateId: duplicate.id, activitiesMoved: 2, filled: ["phone", "company", "estimatedValue", "owner", "campaign"] }],
      ["LeadScoreChanged", before.version + 1, { from: before.score, to: 65 }],
    ]);
    // Erased as deleteLead erases: once published, the duplicate's rows keep ids and types only.
    const erased = await eventually(
      () => outboxOf(admin.tenantId, duplicate.id),
      (rows) => rows.length > 0 && rows.every((row: any) => row.published_at !== null && row.lead_snapshot === null && Object.keys(row.payload).length === 0),
    );
    expect(erased.map((row: any) => [row.event_type, row.version])).toEqual([
      ["LeadCaptured", 1],
      ["LeadActivityLogged", 2],
      ["LeadScoreChanged", 2],
      ["LeadActivityLogged", 3],
      ["LeadScoreChanged", 3],
      ["LeadDeleted", 4],
    ]);
    const everything = await withClient(service.database.adminUrl, async (db) =>
      JSON.stringify((await db.query(`SELECT payload, lead_snapshot FROM outbox WHERE tenant_id = $1 AND aggregate_id = $2`, [admin.tenantId, duplicate.id])).rows),
    );
    expect(everything).not.toContain(secret);
  });

  it("LEAD_DELETED of the duplicate carries {mergedInto} and the duplicate's last version + 1 (read before the relay publishes and scrubs it)", async () => {
    const survivor = await capture(admin);
    const duplicate = await capture(admin);
    dataOf(await admin.gql(TAG, { id: duplicate.id, tags: ["x"] }));
    await service.service.relay.stop();
    try {
      dataOf(await admin.gql(MERGE, { s: survivor.id, d: duplicate.id }));
      const rows = await outboxOf(admin.tenantId, duplicate.id);
      expect(rows.at(-1)).toMatchObject({ event_type: "LeadDeleted", version: 3, payload: { mergedInto: survivor.id }, lead_snapshot: null });
    } finally {
      service.service.relay.start();
    }
  });

  it("refuses more than 20 tags together with BAD_USER_INPUT on tags; nothing changes", async () => {
    const survivor = await capture(admin, { tags: Array.from({ length: 15 }, (_, i) => `s${i}`) });
    const duplicate = await capture(admin, { tags: Array.from({ length: 6 }, (_, i) => `d${i}`), phone: "+14155550111" });
    expect(errorOf(await admin.gql(MERGE, { s: survivor.id, d: duplicate.id }))).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "tags" } });
    expect(dataOf(await admin.gql(LEAD, { id: survivor.id })).lead).toMatchObject({ version: 1, phone: null, tags: survivor.tags });
    expect(dataOf(await admin.gql(LEAD, { id: duplicate.id })).lead).toMatchObject({ version: 1 });
  });

  it("refuses a CONVERTED duplicate (INVALID_TRANSITION from = to = CONVERTED), takes a CONVERTED survivor", async () => {
    const converted = await capture(admin);
    dataOf(await admin.gql(ASSIGN, { id: converted.id, ownerId: admin.userId }));
    dataOf(await admin.gql(QUALIFY, { id: converted.id, value: { amountMinor: 5000, currency: "USD" } }));
    dataOf(await admin.gql(CONVERT, { id: converted.id }));
    const other = await capture(admin, { phone: "+14155550122" });
    expect(errorOf(await admin.gql(MERGE, { s: other.id, d: converted.id }))).toMatchObject({
      code: "INVALID_TRANSITION",
      extensions: { from: "CONVERTED", to: "CONVERTED" },
    });
    expect(dataOf(await admin.gql(LEAD, { id: other.id })).lead).not.toBeNull();
    const merged = dataOf(await admin.gql(MERGE, { s: converted.id, d: other.id })).mergeLeads;
    expect(merged).toMatchObject({ status: "CONVERTED", score: 100, phone: "+14155550122", version: 5 });
  });

  it("checks input, then existence, then the survivor's version: BAD_USER_INPUT, NOT_FOUND, CONFLICT", async () => {
    const a = await capture(admin);
    const b = await capture(admin);
    expect(errorOf(await admin.gql(MERGE, { s: a.id, d: a.id }))).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "duplicateId" } });
    expect(errorOf(await admin.gql(MERGE, { s: a.id.toUpperCase(), d: a.id }))).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "duplicateId" } });
    expect(errorOf(await admin.gql(MERGE, { s: "x", d: a.id }))).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "survivorId" } });
    expect(errorOf(await admin.gql(MERGE, { s: a.id, d: randomUUID() })).code).toBe("NOT_FOUND");
    expect(errorOf(await admin.gql(MERGE, { s: randomUUID(), d: b.id })).code).toBe("NOT_FOUND");
    expect(errorOf(await admin.gql(MERGE, { s: a.id, d: b.id, v: 7 }))).toMatchObject({ code: "CONFLICT", extensions: { actualVersion: 1 } });
    expect(dataOf(await admin.gql(LEAD, { id: b.id })).lead).not.toBeNull();
  });

  it("another tenant's lead is NOT_FOUND on either side and stays untouched", async () => {
    const stranger = await service.caller({ roles: ["admin"] });
    const theirs = await capture(stranger, { phone: "+14155550133" });
    dataOf(await stranger.gql(TAG, { id: theirs.id, tags: ["theirs"] }));
    const mine = await capture(admin);
    expect(errorOf(await admin.gql(MERGE, { s: mine.id, d: theirs.id })).code).toBe("NOT_FOUND");
    expect(errorOf(await admin.gql(MERGE, { s: theirs.id, d: mine.id })).code).toBe("NOT_FOUND");
    expect(dataOf(await stranger.gql(LEAD, { id: theirs.id })).lead).toMatchObject({ version: 2, tags: ["theirs"] });
    expect(dataOf(await admin.gql(LEAD, { id: mine.id })).lead).toMatchObject({ version: 1, phone: null });
  });

  it("admins and sales reps merge; a viewer is FORBIDDEN, no token UNAUTHENTICATED", async () => {
    const viewer = await service.caller({ tenantId: admin.tenantId, roles: ["viewer"] });
    const a = await capture(admin);
    const b = await capture(admin);
    expect(errorOf(await viewer.gql(MERGE, { s: a.id, d: b.id })).code).toBe("FORBIDDEN");
    expect(errorOf(await service.post({ query: MERGE, variables: { s: a.id, d: b.id } })).code).toBe("UNAUTHENTICATED");
    expect(dataOf(await admin.gql(LEAD, { id: b.id })).lead).not.toBeNull();
  });

  it("two opposite merges of one pair at once: one wins, the other is NOT_FOUND, never a deadlock or internal error", async () => {
    for (let round = 0; round < 8; round++) {
      const x = await capture(admin);
      const y = await capture(admin);
      const results = await Promise.all([admin.gql(MERGE, { s: x.id, d: y.id }), admin.gql(MERGE, { s: y.id, d: x.id })]);
      const won = results.filter((r) => !r.errors);
      const lost = results.filter((r) => r.errors);
      expect(won, JSON.stringify(lost)).toHaveLength(1);
      expect(lost.map((r) => errorOf(r).code)).toEqual(["NOT_FOUND"]);
      const survivorId = won[0].data!.mergeLeads.id;
      const duplicateId = survivorId === x.id ? y.id : x.id;
      expect(dataOf(await admin.gql(LEAD, { id: duplicateId })).lead).toBeNull();
      expect(dataOf(await admin.gql(LEAD, { id: survivorId })).lead).toMatchObject({ version: 2 });
    }
  });
});
