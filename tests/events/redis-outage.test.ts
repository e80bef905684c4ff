import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, ASSIGN, CAPTURE, LOSE, QUALIFY, UPDATE_CONTACT } from "../api/operations";
import { eventually, streamEventsOf } from "../support/redis-streams";
import { dataOf, startTestService, type TestService } from "../support/test-service";
import { ALL_LEAD_STREAMS, ChildRedis, crossStreamReorderings, inStreamOrder, redisServerBinary, withAdmin } from "./stream-checks";

// A redis-server of this file's own (child process on a free port, no persistence), to kill and restart.
let redisServer: ChildRedis | undefined;
let service: TestService | undefined;

beforeAll(async () => {
  if (!redisServerBinary) return;
  redisServer = await ChildRedis.start();
  service = await startTestService({ REDIS_URL: redisServer.url });
});
afterAll(async () => {
  await service?.stop();
  await redisServer?.halt();
});

const readiness = async () => {
  const response = await fetch(service!.url.replace(/\/graphql$/, "/ready"));
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};

// capture; assign; phone (contact + score); qualify (status + score); lost (status + score)
const EXPECTED_PER_LEAD = [
  ["LeadCaptured", 1],
  ["LeadAssigned", 2],
  ["LeadContactUpdated", 3],
  ["LeadScoreChanged", 3],
  ["LeadStatusChanged", 4],
  ["LeadScoreChanged", 4],
  ["LeadStatusChanged", 5],
  ["LeadScoreChanged", 5],
];

describe.skipIf(!redisServerBinary && !process.env.CI)("Redis outage: writes go on, events follow once Redis is back", () => {
  it("100 mutations succeed with Redis down (/ready 200, redis down); afterwards every event reaches the streams, in order per lead", async () => {
    const svc = service!;
    const rep = await svc.caller({ roles: ["sales_rep"] });
    expect((await eventually(readiness, (r) => r.body.redis === "up")).body).toMatchObject({ redis: "up" });

    await redisServer!.halt();
    const whileDown = await eventually(readiness, (r) => r.body.redis === "down");
    expect(whileDown).toMatchObject({ status: 200, body: { postgres: "up", redis: "down" } });

    // 20 leads, each captured and changed 4 times, the leads side by side: 100 mutations.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const results: boolean[] = [];
        const ok = (response: { errors?: unknown[]; data?: unknown }) => results.push(!response.errors?.length && !!response.data);
        const captured = await rep.gql(CAPTURE, { input: aCapture({ name: `Outage ${i}` }) });
        ok(captured);
        const id = (captured.data as any).captureLead.id as string;
        ok(await rep.gql(ASSIGN, { id, ownerId: rep.userId }));
        ok(await rep.gql(UPDATE_CONTACT, { input: { id, phone: `+1555000${String(1000 + i)}` } }));
        ok(await rep.gql(QUALIFY, { id, value: { amountMinor: 100_000, currency: "EUR" } }));
        ok(await rep.gql(LOSE, { id, reason: "went quiet during the outage" }));
        return { id, results };
      }),
    );
    const succeeded = outcomes.flatMap((o) => o.results).filter(Boolean).length;
    expect(succeeded).toBe(100);
    const leadIds = outcomes.map((o) => o.id);

    const stillDown = await readiness();
    expect(stillDown).toMatchObject({ status: 200, body: { postgres: "up", redis: "down" } });
    // The events wait in the outbox, none lost, none marked published.
    const waiting = await withAdmin(svc.database.adminUrl, async (db) =>
      (await db.query(`SELECT count(*)::int AS n FROM outbox WHERE tenant_id = $1 AND published_at IS NULL`, [rep.tenantId])).rows[0].n,
    );
    expect(waiting).toBe(160);

    await redisServer!.resume(); // same port
    const redis = new Redis(redisServer!.url);
    try {
      const events = await eventually(() => streamEventsOf(redis, rep.tenantId, ALL_LEAD_STREAMS), (found) => found.length >= 160, 30_000);
      // Nothing missing, nothing twice (one relay, no crash: exactly once).
      expect(events).toHaveLength(160);
      // The relay marks a batch published after its XADDs: the streams can be full a moment before the outbox says so.
      const outboxIds = await eventually(
        () =>
          withAdmin(svc.database.adminUrl, async (db) =>
            (await db.query(`SELECT id FROM outbox WHERE tenant_id = $1 AND published_at IS NOT NULL`, [rep.tenantId])).rows.map((row) => row.id as string),
          ),
        (ids) => ids.length >= 160,
      );
      expect(events.map((e) => e.fields.event_id).sort()).toEqual(outboxIds.sort());
      for (const leadId of leadIds) {
        const ofLead = events.filter((e) => e.fields.aggregate_id === leadId);
        expect(
          ofLead
            .map((e) => [e.fields.event_type, Number(e.fields.version)] as [string, number])
            .sort((a, b) => a[1] - b[1] || EXPECTED_PER_LEAD.findIndex(([t, v]) => t === a[0] && v === a[1]) - EXPECTED_PER_LEAD.findIndex(([t, v]) => t === b[0] && v === b[1])),
        ).toEqual(EXPECTED_PER_LEAD);
        // Per stream, this lead's versions strictly increase in stream order; across streams, no reordering.
        for (const stream of ALL_LEAD_STREAMS) {
          const versions = inStreamOrder(ofLead.filter((e) => e.stream === stream)).map((e) => Number(e.fields.version));
          for (let i = 1; i < versions.length; i++) expect(versions[i], `${stream} of ${leadId}`).toBeGreaterThan(versions[i - 1]);
        }
        expect(crossStreamReorderings(ofLead)).toEqual([]);
      }
      const back = await eventually(readiness, (r) => r.body.redis === "up");
      expect(back).toMatchObject({ status: 200, body: { redis: "up" } });
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
