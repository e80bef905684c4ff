import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { subscribe } from "../support/subscriber";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { aCapture, ASSIGN, CAPTURE, CONTACT, LOG_ACTIVITY, QUALIFY } from "../api/operations";

const redisUrl = inject("redisUrl");
let database: TestDatabase;
let instanceA: TestService;
let instanceB: TestService;

beforeAll(async () => {
  if (!redisUrl) return;
  database = await createTestDatabase();
  instanceA = await startTestService({ REDIS_URL: redisUrl }, { database });
  instanceB = await startTestService({ REDIS_URL: redisUrl }, { database });
});
afterAll(async () => {
  await instanceA?.stop();
  await instanceB?.stop();
  await database?.drop();
});

describe.skipIf(!redisUrl && !process.env.CI)("live subscriptions across instances (Redis pub/sub)", () => {
  it("a subscriber on instance B gets, in order, every event of mutations made on A; another tenant gets none", async () => {
    const rep: Caller = await instanceA.caller({ roles: ["sales_rep"] });
    const viewerOnB = await instanceB.caller({ tenantId: rep.tenantId, roles: ["viewer"] });
    const otherTenant = await instanceB.caller({ roles: ["admin"] });
    const mine = await subscribe(instanceB.url, viewerOnB.token);
    const theirs = await subscribe(instanceB.url, otherTenant.token);

    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture({ source: "REFERRAL" }) })).captureLead;
    await rep.gql(ASSIGN, { id: lead.id, ownerId: rep.userId });
    await rep.gql(CONTACT, { id: lead.id });
    await rep.gql(QUALIFY, { id: lead.id, value: { amountMinor: 150_000, currency: "USD" } });
    await rep.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "CALL", summary: "call" } });

    const events = await mine.waitFor(7);
    expect(events.map((e) => [e.type, e.version])).toEqual([
      ["LEAD_CAPTURED", 1],
      ["LEAD_ASSIGNED", 2],
      ["LEAD_STATUS_CHANGED", 3],
      ["LEAD_STATUS_CHANGED", 4],
      ["LEAD_SCORE_CHANGED", 4],
      ["LEAD_ACTIVITY_LOGGED", 5],
      ["LEAD_SCORE_CHANGED", 5],
    ]);
    expect(events[3]).toMatchObject({ leadId: lead.id, actorId: rep.userId, payload: { from: "CONTACTED", to: "QUALIFIED" } });
    expect(events[4].payload).toEqual({ from: 30, to: 50 });
    expect(events[6].lead).toMatchObject({ id: lead.id, status: "QUALIFIED", version: 5, score: 55 });

    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(theirs.received).toEqual([]);
    await mine.dispose();
    await theirs.dispose();
  });

  it("narrows to one lead and some types; refuses a connection without a valid token", async () => {
    const rep = await instanceA.caller({ roles: ["sales_rep"] });
    const first = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    const second = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    const narrowed = await subscribe(instanceB.url, rep.token, undefined, { leadId: second.id, types: ["LEAD_TAGS_CHANGED"] });
    await rep.gql(`mutation($id: ID!) { tagLead(id: $id, tags: ["x"]) { id } }`, { id: first.id });
    await rep.gql(`mutation($id: ID!) { tagLead(id: $id, tags: ["y"]) { id } }`, { id: second.id });
    await rep.gql(CONTACT, { id: second.id });
    const [event] = await narrowed.waitFor(1);
    expect(event).toMatchObject({ type: "LEAD_TAGS_CHANGED", leadId: second.id, payload: { added: ["y"], removed: [] } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(narrowed.received).toHaveLength(1);
    await narrowed.dispose();

    const anonymous = await subscribe(instanceB.url, null);
    expect((await anonymous.closed).code).toBe(4403);
  });
});
