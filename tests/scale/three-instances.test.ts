import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { aCapture, CAPTURE, LEAD, LEADS, LOG_ACTIVITY, TAG } from "../api/operations";
import { subscribe, type Subscriber } from "../support/subscriber";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";

const redisUrl = inject("redisUrl");
let database: TestDatabase;
let instances: TestService[] = [];

beforeAll(async () => {
  if (!redisUrl) return;
  database = await createTestDatabase();
  instances = [];
  for (let i = 0; i < 3; i++) instances.push(await startTestService({ REDIS_URL: redisUrl }, { database }));
}, 60_000);
afterAll(async () => {
  for (const instance of instances) await instance.stop();
  await database?.drop();
});

describe.skipIf(!redisUrl && !process.env.CI)("three instances behind one database and one Redis", () => {
  it("every read sees every acknowledged write, and every subscriber gets every event exactly once", async () => {
    const tenantId = crypto.randomUUID();
    const callers: Caller[] = [];
    for (const instance of instances) callers.push(await instance.caller({ tenantId, roles: ["sales_rep"] }));
    const subscribers: Subscriber[] = [];
    for (let i = 0; i < instances.length; i++) subscribers.push(await subscribe(instances[i].url, callers[i].token));

    // Mixed traffic round-robin over the three: each write is read back through the next instance.
    const leadIds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const writer = callers[i % 3];
      const reader = callers[(i + 1) % 3];
      const lead = dataOf(await writer.gql(CAPTURE, { input: aCapture() })).captureLead;
      leadIds.push(lead.id);
      expect(dataOf(await reader.gql(LEAD, { id: lead.id })).lead.version).toBe(1);
      dataOf(await reader.gql(TAG, { id: lead.id, tags: [`via-${(i + 1) % 3}`] }));
      dataOf(await callers[(i + 2) % 3].gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "NOTE", summary: "n" } }));
      expect(dataOf(await writer.gql(LEAD, { id: lead.id })).lead).toMatchObject({ version: 3, tags: [`via-${(i + 1) % 3}`] });
    }
    for (const caller of callers) expect(dataOf(await caller.gql(LEADS, { first: 100 })).leads.totalCount).toBe(12);

    // capture + tag + activity + score change = 4 events per lead
    const expected = leadIds.length * 4;
    for (const subscriber of subscribers) {
      const events = await subscriber.waitFor(expected, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscriber.received).toHaveLength(expected);
      expect(new Set(events.map((event) => event.eventId)).size).toBe(expected);
      for (const leadId of leadIds) {
        const versions = events.filter((event) => event.leadId === leadId).map((event) => event.version);
        expect(versions).toEqual([1, 2, 3, 3]);
      }
      await subscriber.dispose();
    }
  }, 60_000);
});
