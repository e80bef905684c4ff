import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eventually, streamEventsOf } from "../support/redis-streams";
import { withClient } from "../support/test-database";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { aCapture, CAPTURE, CONVERT, LOG_ACTIVITY, QUALIFY } from "./operations";

// RULES, Increment 2a: editLeadActivity, deleteLeadActivity and unassignLead over HTTP.

const EDIT = `mutation Edit($leadId: ID!, $activityId: ID!, $input: EditActivityInput!, $v: Int) {
  editLeadActivity(leadId: $leadId, activityId: $activityId, input: $input, expectedVersion: $v) { id type summary occurredAt editedAt actor { id } } }`;
const DELETE_ACTIVITY = `mutation DeleteActivity($leadId: ID!, $activityId: ID!, $v: Int) {
  deleteLeadActivity(leadId: $leadId, activityId: $activityId, expectedVersion: $v) { id version score activities { totalCount edges { node { id } } } } }`;
const UNASSIGN = `mutation Unassign($id: ID!, $v: Int) { unassignLead(id: $id, expectedVersion: $v) { id version status score owner { id } } }`;
const LEAD_WITH_ACTIVITIES = `query($id: ID!) { lead(id: $id) { id version score owner { id }
  activities { totalCount edges { node { id type summary occurredAt editedAt actor { id } } } } } }`;

const redisUrl = inject("redisUrl");
let service: TestService;
let repA: Caller;
let repB: Caller;
let admin: Caller;
let viewer: Caller;
let stranger: Caller;

beforeAll(async () => {
  service = await startTestService(redisUrl ? { REDIS_URL: redisUrl } : {});
  repA = await service.caller({ roles: ["sales_rep"] });
  const tenantId = repA.tenantId;
  repB = await service.caller({ tenantId, roles: ["sales_rep"] });
  admin = await service.caller({ tenantId, roles: ["admin"] });
  viewer = await service.caller({ tenantId, roles: ["viewer"] });
  stranger = await service.caller({ roles: ["admin"] });
});
afterAll(() => service?.stop());

/** A lead of repA's with `count` activities logged by repA. */
async function leadWithActivities(count: number, capture: Record<string, unknown> = {}) {
  const lead = dataOf(await repA.gql(CAPTURE, { input: aCapture(capture) })).captureLead;
  const activities: any[] = [];
  for (let i = 0; i < count; i++) {
    activities.push(dataOf(await repA.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "CALL", summary: `call ${i}` } })).logLeadActivity);
  }
  return { lead, activities };
}

const read = async (id: string) => dataOf(await repA.gql(LEAD_WITH_ACTIVITIES, { id })).lead;

describe("editLeadActivity", () => {
  it("corrects the actor's activity: new fields, editedAt set, lead version +1, score unchanged", async () => {
    const { lead, activities } = await leadWithActivities(2);
    const before = await read(lead.id);
    const occurredAt = new Date(Date.now() - 3600_000).toISOString();
    const edited = dataOf(
      await repA.gql(EDIT, { leadId: lead.id, activityId: activities[0].id, input: { summary: "Call back on Monday", type: "MEETING", occurredAt }, v: before.version }),
    ).editLeadActivity;
    expect(edited).toMatchObject({ id: activities[0].id, type: "MEETING", summary: "Call back on Monday", occurredAt, actor: { id: repA.userId } });
    expect(Date.parse(edited.editedAt)).toBeGreaterThan(Date.now() - 60_000);
    const after = await read(lead.id);
    expect(after).toMatchObject({ version: before.version + 1, score: before.score });
    expect(after.activities.edges.find((edge: any) => edge.node.id === activities[0].id).node).toEqual(edited);
    // The untouched activity was never edited.
    expect(after.activities.edges.find((edge: any) => edge.node.id === activities[1].id).node.editedAt).toBeNull();
  });

  it("changes nothing for an edit that changes nothing: editedAt stays null, version stays", async () => {
    const { lead, activities } = await leadWithActivities(1);
    const before = await read(lead.id);
    const same = dataOf(await repA.gql(EDIT, { leadId: lead.id, activityId: activities[0].id, input: { summary: "call 0", type: "CALL" } })).editLeadActivity;
    expect(same.editedAt).toBeNull();
    const empty = dataOf(await repA.gql(EDIT, { leadId: lead.id, activityId: activities[0].id, input: {} })).editLeadActivity;
    expect(empty).toEqual(same);
    expect((await read(lead.id)).version).toBe(before.version);
  });

  it("validates like logging, before anything is looked up (BAD_USER_INPUT with its field)", async () => {
    const { lead, activities } = await leadWithActivities(1);
    const leadId = lead.id;
    const activityId = activities[0].id;
    const cases: [Record<string, unknown>, string][] = [
      [{ leadId, activityId, input: { summary: "" } }, "summary"],
      [{ leadId, activityId, input: { summary: "x".repeat(2001) } }, "summary"],
      [{ leadId, activityId, input: { summary: null } }, "summary"],
      [{ leadId, activityId, input: { type: null } }, "type"],
      [{ leadId, activityId, input: { occurredAt: new Date(Date.now() + 10 * 60_000).toISOString() } }, "occurredAt"],
      [{ leadId: "nope", activityId, input: {} }, "leadId"],
      [{ leadId, activityId: "nope", input: {} }, "activityId"],
      // Input errors win over NOT_FOUND.
      [{ leadId: randomUUID(), activityId: randomUUID(), input: { summary: "" } }, "summary"],
    ];
    for (const [variables, field] of cases) {
      expect(errorOf(await repA.gql(EDIT, variables)), JSON.stringify(variables).slice(0, 80)).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field } });
    }
    expect(dataOf(await repA.gql(EDIT, { leadId, activityId, input: { summary: "x".repeat(2000) } })).editLeadActivity.summary).toHaveLength(2000);
  });

  it("answers NOT_FOUND for a missing lead, a missing activity, and another lead's activity (before FORBIDDEN)", async () => {
    const { lead, activities } = await leadWithActivities(1);
    const other = await leadWithActivities(1);
    const input = { summary: "moved?" };
    for (const caller of [repA, repB]) {
      expect(errorOf(await caller.gql(EDIT, { leadId: randomUUID(), activityId: activities[0].id, input })).code).toBe("NOT_FOUND");
      expect(errorOf(await caller.gql(EDIT, { leadId: lead.id, activityId: randomUUID(), input })).code).toBe("NOT_FOUND");
      expect(errorOf(await caller.gql(EDIT, { leadId: other.lead.id, activityId: activities[0].id, input })).code).toBe("NOT_FOUND");
      expect(errorOf(await caller.gql(DELETE_ACTIVITY, { leadId: other.lead.id, activityId: activities[0].id })).code).toBe("NOT_FOUND");
    }
    expect((await read(lead.id)).activities.edges[0].node.summary).toBe("call 0");
  });

  it("refuses a sales rep editing another rep's activity (FORBIDDEN, before CONFLICT); an admin may; a viewer may not", async () => {
    const { lead, activities } = await leadWithActivities(1);
    const variables = { leadId: lead.id, activityId: activities[0].id, input: { summary: "not mine" } };
    expect(errorOf(await repB.gql(EDIT, variables)).code).toBe("FORBIDDEN");
    expect(errorOf(await repB.gql(EDIT, { ...variables, v: 99 })).code).toBe("FORBIDDEN");
    expect(errorOf(await viewer.gql(EDIT, variables)).code).toBe("FORBIDDEN");
    expect(errorOf(await stranger.gql(EDIT, variables)).code).toBe("NOT_FOUND");
    const version = (await read(lead.id)).version;
    const conflict = errorOf(await admin.gql(EDIT, { ...variables, v: version - 1 }));
    expect(conflict).toMatchObject({ code: "CONFLICT", extensions: { actualVersion: version } });
    expect(dataOf(await admin.gql(EDIT, { ...variables, input: { summary: "fixed by admin" }, v: version })).editLeadActivity.summary).toBe("fixed by admin");
    expect((await read(lead.id)).version).toBe(version + 1);
  });

  it("works on a CONVERTED lead, like logging", async () => {
    const { lead, activities } = await leadWithActivities(1, { ownerId: undefined });
    dataOf(await admin.gql(`mutation($id: ID!, $o: ID!) { assignLead(id: $id, ownerId: $o) { id } }`, { id: lead.id, o: repA.userId }));
    dataOf(await repA.gql(QUALIFY, { id: lead.id, value: { amountMinor: 5000, currency: "EUR" } }));
    dataOf(await repA.gql(CONVERT, { id: lead.id }));
    const edited = dataOf(await repA.gql(EDIT, { leadId: lead.id, activityId: activities[0].id, input: { type: "EMAIL" } })).editLeadActivity;
    expect(edited.type).toBe("EMAIL");
    const removed = dataOf(await repA.gql(DELETE_ACTIVITY, { leadId: lead.id, activityId: activities[0].id })).deleteLeadActivity;
    expect(removed).toMatchObject({ score: 100, activities: { totalCount: 0, edges: [] } });
  });
});

describe("deleteLeadActivity", () => {
  it("removes the activity: activityCount drops, the score is recomputed, version +1", async () => {
    const { lead, activities } = await leadWithActivities(3);
    const before = await read(lead.id);
    expect(before.score).toBe(35); // WEBSITE_FORM 20 + 3 activities
    const after = dataOf(await repA.gql(DELETE_ACTIVITY, { leadId: lead.id, activityId: activities[1].id, v: before.version })).deleteLeadActivity;
    expect(after).toMatchObject({ id: lead.id, version: before.version + 1, score: 30 });
    expect(after.activities.totalCount).toBe(2);
    expect(after.activities.edges.map((edge: any) => edge.node.id).sort()).toEqual([activities[0].id, activities[2].id].sort());
    expect(errorOf(await repA.gql(DELETE_ACTIVITY, { leadId: lead.id, activityId: activities[1].id })).code).toBe("NOT_FOUND");
  });

  it("checks roles, actor, version and ids like editing", async () => {
    const { lead, activities } = await leadWithActivities(1);
    const variables = { leadId: lead.id, activityId: activities[0].id };
    expect(errorOf(await viewer.gql(DELETE_ACTIVITY, variables)).code).toBe("FORBIDDEN");
    expect(errorOf(await repB.gql(DELETE_ACTIVITY, variables)).code).toBe("FORBIDDEN");
    expect(errorOf(await repA.gql(DELETE_ACTIVITY, { ...variables, v: 1 })).code).toBe("CONFLICT");
    expect(errorOf(await repA.gql(DELETE_ACTIVITY, { ...variables, activityId: "x" }))).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "activityId" } });
    expect(errorOf(await repA.gql(DELETE_ACTIVITY, { ...variables, leadId: "x" }))).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "leadId" } });
    expect((await read(lead.id)).activities.totalCount).toBe(1);
    expect(dataOf(await admin.gql(DELETE_ACTIVITY, variables)).deleteLeadActivity.activities.totalCount).toBe(0);
  });
});

describe("unassignLead", () => {
  it("clears the owner (version +1); a lead without one is no change", async () => {
    const lead = dataOf(await repA.gql(CAPTURE, { input: aCapture({ ownerId: repB.userId }) })).captureLead;
    const after = dataOf(await repA.gql(UNASSIGN, { id: lead.id, v: lead.version })).unassignLead;
    expect(after).toMatchObject({ owner: null, version: lead.version + 1, score: lead.score, status: "NEW" });
    const again = dataOf(await repA.gql(UNASSIGN, { id: lead.id })).unassignLead;
    expect(again.version).toBe(after.version);
  });

  it("refuses QUALIFIED and CONVERTED leads with from = to = the status", async () => {
    const lead = dataOf(await repA.gql(CAPTURE, { input: aCapture({ ownerId: repA.userId }) })).captureLead;
    dataOf(await repA.gql(QUALIFY, { id: lead.id, value: { amountMinor: 5000, currency: "EUR" } }));
    expect(errorOf(await repA.gql(UNASSIGN, { id: lead.id }))).toMatchObject({ code: "INVALID_TRANSITION", extensions: { from: "QUALIFIED", to: "QUALIFIED" } });
    dataOf(await repA.gql(CONVERT, { id: lead.id }));
    expect(errorOf(await repA.gql(UNASSIGN, { id: lead.id }))).toMatchObject({ code: "INVALID_TRANSITION", extensions: { from: "CONVERTED", to: "CONVERTED" } });
    expect((await read(lead.id)).owner).toEqual({ id: repA.userId });
  });

  it("checks role, id, existence and version in that order", async () => {
    const lead = dataOf(await repA.gql(CAPTURE, { input: aCapture({ ownerId: repA.userId }) })).captureLead;
    expect(errorOf(await viewer.gql(UNASSIGN, { id: "x" })).code).toBe("FORBIDDEN");
    expect(errorOf(await repA.gql(UNASSIGN, { id: "x" }))).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "id" } });
    expect(errorOf(await repA.gql(UNASSIGN, { id: randomUUID(), v: 7 })).code).toBe("NOT_FOUND");
    expect(errorOf(await repA.gql(UNASSIGN, { id: lead.id, v: 7 }))).toMatchObject({ code: "CONFLICT", extensions: { actualVersion: 1 } });
    expect(errorOf(await service.post({ query: UNASSIGN, variables: { id: lead.id } })).code).toBe("UNAUTHENTICATED");
    expect((await read(lead.id)).owner).toEqual({ id: repA.userId });
  });
});

describe("another tenant's ids do not exist for the caller", () => {
  it("answers NOT_FOUND to each new mutation and changes nothing", async () => {
    const { lead, activities } = await leadWithActivities(1, { ownerId: repA.userId });
    const before = await read(lead.id);
    expect(errorOf(await stranger.gql(EDIT, { leadId: lead.id, activityId: activities[0].id, input: { summary: "hijack" } })).code).toBe("NOT_FOUND");
    expect(errorOf(await stranger.gql(DELETE_ACTIVITY, { leadId: lead.id, activityId: activities[0].id })).code).toBe("NOT_FOUND");
    expect(errorOf(await stranger.gql(UNASSIGN, { id: lead.id })).code).toBe("NOT_FOUND");
    // Its own lead with the other tenant's activity id: still nothing there.
    const own = dataOf(await stranger.gql(CAPTURE, { input: aCapture() })).captureLead;
    expect(errorOf(await stranger.gql(EDIT, { leadId: own.id, activityId: activities[0].id, input: { summary: "x" } })).code).toBe("NOT_FOUND");
    expect(errorOf(await stranger.gql(DELETE_ACTIVITY, { leadId: own.id, activityId: activities[0].id })).code).toBe("NOT_FOUND");
    expect(await read(lead.id)).toEqual(before);
  });
});

interface OutboxRow {
  event_type: string;
  version: number;
  payload: Record<string, unknown>;
  published_at: Date | null;
}

describe("events of corrections and unassign", () => {
  it("are stored in order with their payloads (outbox), and reach the streams as LeadActivityEdited, LeadActivityDeleted, LeadUnassigned", async () => {
    const { lead, activities } = await leadWithActivities(2, { ownerId: repA.userId });
    dataOf(await repA.gql(EDIT, { leadId: lead.id, activityId: activities[0].id, input: { summary: "secret words", type: "NOTE" } }));
    dataOf(await repA.gql(DELETE_ACTIVITY, { leadId: lead.id, activityId: activities[1].id }));
    dataOf(await repA.gql(UNASSIGN, { id: lead.id }));
    const expected = [
      ["LeadCaptured", 1],
      ["LeadActivityLogged", 2, { activityId: activities[0].id, type: "CALL" }],
      ["LeadScoreChanged", 2, { from: 20, to: 25 }],
      ["LeadActivityLogged", 3, { activityId: activities[1].id, type: "CALL" }],
      ["LeadScoreChanged", 3, { from: 25, to: 30 }],
      ["LeadActivityEdited", 4, { activityId: activities[0].id, fields: ["type", "summary"] }],
      ["LeadActivityDeleted", 5, { activityId: activities[1].id, type: "CALL" }],
      ["LeadScoreChanged", 5, { from: 30, to: 25 }],
      ["LeadUnassigned", 6, { from: repA.userId }],
    ];
    const rows = await withClient(service.database.adminUrl, (db) =>
      eventually(
        async () =>
          (await db.query<OutboxRow>(`SELECT event_type, version, payload, published_at FROM outbox WHERE tenant_id = $1 AND aggregate_id = $2 ORDER BY seq`, [repA.tenantId, lead.id])).rows,
        (found) => found.length === expected.length && found.every((row) => row.published_at !== null),
      ),
    );
    expect(rows.map((row) => (row.event_type === "LeadCaptured" ? [row.event_type, row.version] : [row.event_type, row.version, row.payload]))).toEqual(expected);
    expect(JSON.stringify(rows.find((row) => row.event_type === "LeadActivityEdited"))).not.toContain("secret words");

    if (!redisUrl) return;
    const redis = new Redis(redisUrl);
    try {
      const streams = ["events:LeadActivityEdited", "events:LeadActivityDeleted", "events:LeadUnassigned"];
      const entries = await eventually(
        async () => (await streamEventsOf(redis, repA.tenantId, streams)).filter((entry) => entry.fields.aggregate_id === lead.id),
        (found) => found.length === 3,
      );
      expect(entries.map((entry) => [entry.stream, entry.fields.event_type, entry.fields.version, JSON.parse(entry.fields.data)])).toEqual([
        ["events:LeadActivityEdited", "LeadActivityEdited", "4", { activityId: activities[0].id, fields: ["type", "summary"] }],
        ["events:LeadActivityDeleted", "LeadActivityDeleted", "5", { activityId: activities[1].id, type: "CALL" }],
        ["events:LeadUnassigned", "LeadUnassigned", "6", { from: repA.userId }],
      ]);
    } finally {
      redis.disconnect();
    }
  });

  it("are GraphQL LeadEventType values LEAD_UNASSIGNED, LEAD_ACTIVITY_EDITED, LEAD_ACTIVITY_DELETED", async () => {
    const type = dataOf(await repA.gql(`{ __type(name: "LeadEventType") { enumValues { name } } }`)).__type;
    expect(type.enumValues.map((value: any) => value.name)).toEqual(expect.arrayContaining(["LEAD_UNASSIGNED", "LEAD_ACTIVITY_EDITED", "LEAD_ACTIVITY_DELETED"]));
  });
});
