import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, ASSIGN, CAPTURE, CONTACT } from "../api/operations";
import { eventually, streamEventsOf } from "../support/redis-streams";
import { subscribe } from "../support/subscriber";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { dataOf, startTestService, type TestService } from "../support/test-service";
import { hasRedisCluster, ThrowawayRedisCluster } from "../support/throwaway-redis-cluster";

let cluster: ThrowawayRedisCluster;
let database: TestDatabase;
let instanceA: TestService;
let instanceB: TestService;

beforeAll(async () => {
  if (!hasRedisCluster) return;
  cluster = await ThrowawayRedisCluster.start();
  database = await createTestDatabase();
  instanceA = await startTestService({ REDIS_CLUSTER_NODES: cluster.nodes }, { database });
  instanceB = await startTestService({ REDIS_CLUSTER_NODES: cluster.nodes }, { database });
}, 60_000);
afterAll(async () => {
  await instanceA?.stop();
  await instanceB?.stop();
  await database?.drop();
  await cluster?.stop();
});

describe.skipIf(!hasRedisCluster && !process.env.CI)("events on a three-node Redis Cluster", () => {
  it("streams and cross-instance subscriptions work with keys spread over hash slots", async () => {
    const rep = await instanceA.caller({ roles: ["sales_rep"] });
    const viewer = await instanceB.caller({ tenantId: rep.tenantId, roles: ["viewer"] });
    const live = await subscribe(instanceB.url, viewer.token);

    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    await rep.gql(ASSIGN, { id: lead.id, ownerId: rep.userId });
    await rep.gql(CONTACT, { id: lead.id });

    const received = await live.waitFor(3);
    expect(received.map((event) => [event.type, event.version])).toEqual([
      ["LEAD_CAPTURED", 1],
      ["LEAD_ASSIGNED", 2],
      ["LEAD_STATUS_CHANGED", 3],
    ]);
    await live.dispose();

    const client = new Cluster(cluster.ports.map((port) => ({ host: "127.0.0.1", port })));
    try {
      const streams = ["events:LeadCaptured", "events:LeadAssigned", "events:LeadStatusChanged"];
      const slots = await Promise.all(streams.map((stream) => client.cluster("KEYSLOT", stream)));
      expect(new Set(slots).size).toBeGreaterThan(1); // the streams really live on different slots
      const events = await eventually(() => streamEventsOf(client, rep.tenantId, streams), (found) => found.length === 3);
      expect(events.map((event) => event.fields.event_type).sort()).toEqual(["LeadAssigned", "LeadCaptured", "LeadStatusChanged"]);
    } finally {
      client.disconnect();
    }
  }, 60_000);
});
