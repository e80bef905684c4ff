import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, ASSIGN, CAPTURE, CONTACT, LOG_ACTIVITY, TAG } from "../api/operations";
import { eventually, streamEventsOf } from "../support/redis-streams";
import { dataOf, startTestService, type TestService } from "../support/test-service";
import { hasRedisServer, ThrowawayRedis } from "../support/throwaway-redis";

const STREAMS = ["LeadCaptured", "LeadAssigned", "LeadStatusChanged", "LeadTagsChanged", "LeadActivityLogged", "LeadScoreChanged"].map((n) => `events:${n}`);
let redisServer: ThrowawayRedis;
let service: TestService;

beforeAll(async () => {
  if (!hasRedisServer) return;
  redisServer = await ThrowawayRedis.start();
  service = await startTestService({ REDIS_URL: redisServer.url });
});
afterAll(async () => {
  await service?.stop();
  await redisServer?.halt();
});

describe.skipIf(!hasRedisServer && !process.env.CI)("Redis outage", () => {
  it("mutations succeed while Redis is down and every event arrives, in order per lead, once it is back", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    await redisServer.halt();

    const leadIds: string[] = [];
    let succeeded = 0;
    for (let i = 0; i < 20; i++) {
      const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
      leadIds.push(lead.id);
      dataOf(await rep.gql(ASSIGN, { id: lead.id, ownerId: rep.userId }));
      dataOf(await rep.gql(CONTACT, { id: lead.id }));
      dataOf(await rep.gql(TAG, { id: lead.id, tags: ["outage"] }));
      dataOf(await rep.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "NOTE", summary: "written while Redis was down" } }));
      succeeded += 5;
    }
    expect(succeeded).toBe(100);

    const ready = await fetch(service.url.replace("/graphql", "/ready"));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ postgres: "up", redis: "down" });

    await redisServer.resume();
    const redis = new Redis(redisServer.url);
    try {
      // capture, assign, contact, tag, activity + its score change: 6 events per lead
      const events = await eventually(() => streamEventsOf(redis, rep.tenantId, STREAMS), (found) => found.length >= 120, 30_000);
      expect(events).toHaveLength(120);
      expect(new Set(events.map((e) => e.fields.event_id)).size).toBe(120);
      for (const leadId of leadIds) {
        const ofLead = events.filter((e) => e.fields.aggregate_id === leadId);
        expect(ofLead.map((e) => Number(e.fields.version)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 5]);
        for (const stream of STREAMS) {
          const versions = ofLead.filter((e) => e.stream === stream).map((e) => Number(e.fields.version));
          expect(versions).toEqual([...versions].sort((a, b) => a - b));
        }
      }
      const readyAgain = await eventually(async () => (await fetch(service.url.replace("/graphql", "/ready"))).json(), (body: any) => body.redis === "up");
      expect(readyAgain).toMatchObject({ redis: "up" });
    } finally {
      redis.disconnect();
    }
  }, 90_000);
});
