import Redis from "ioredis";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { aCapture, ASSIGN, CAPTURE, CONVERT, DELETE, LOG_ACTIVITY, QUALIFY } from "../api/operations";
import { eventually, streamEventsOf } from "../support/redis-streams";
import { dataOf, startTestService, type TestService } from "../support/test-service";

const redisUrl = inject("redisUrl");
const STREAMS = ["LeadCaptured", "LeadAssigned", "LeadStatusChanged", "LeadScoreChanged", "LeadActivityLogged", "LeadDeleted"].map((name) => `events:${name}`);
let service: TestService;
let redis: Redis;

beforeAll(async () => {
  if (!redisUrl) return;
  service = await startTestService({ REDIS_URL: redisUrl, EVENT_STREAM_MAXLEN: "10000" });
  redis = new Redis(redisUrl);
});
afterAll(async () => {
  redis?.disconnect();
  await service?.stop();
});

describe.skipIf(!redisUrl && !process.env.CI)("domain events on Redis Streams", () => {
  it("a scripted lead life puts exactly the expected events, fields and versions on the streams", async () => {
    const rep = await service.caller({ roles: ["admin"] });
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture({ source: "EVENT", email: `life.${Date.now()}@example.com` }) })).captureLead;
    await rep.gql(ASSIGN, { id: lead.id, ownerId: rep.userId });
    await rep.gql(QUALIFY, { id: lead.id, value: { amountMinor: 100_000, currency: "USD" } });
    const activity = dataOf(await rep.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "CALL", summary: "call" } })).logLeadActivity;
    await rep.gql(CONVERT, { id: lead.id });

    const events = await eventually(() => streamEventsOf(redis, rep.tenantId, STREAMS), (found) => found.length >= 8);
    const summary = events
      .map((e) => [e.fields.event_type, Number(e.fields.version), JSON.parse(e.fields.data)] as const)
      // within one version the score change comes last (RULES: fixed order)
      .sort((a, b) => a[1] - b[1] || Number(a[0] === "LeadScoreChanged") - Number(b[0] === "LeadScoreChanged"));
    expect(summary.map(([type, version]) => [type, version])).toEqual([
      ["LeadCaptured", 1],
      ["LeadAssigned", 2],
      ["LeadStatusChanged", 3],
      ["LeadScoreChanged", 3],
      ["LeadActivityLogged", 4],
      ["LeadScoreChanged", 4],
      ["LeadStatusChanged", 5],
      ["LeadScoreChanged", 5],
    ]);
    expect(summary[0][2]).toMatchObject({ id: lead.id, email: lead.email, score: 25, status: "NEW" });
    expect(summary[1][2]).toEqual({ from: null, to: rep.userId });
    expect(summary[2][2]).toMatchObject({ from: "NEW", to: "QUALIFIED" });
    expect(summary[3][2]).toEqual({ from: 25, to: 45 });
    expect(summary[4][2]).toEqual({ activityId: activity.id, type: "CALL" });
    expect(summary[7][2]).toEqual({ from: 50, to: 100 });
    for (const event of events) {
      expect(Object.keys(event.fields).sort()).toEqual(["aggregate_id", "data", "event_id", "event_type", "occurred_at", "tenant_id", "version"]);
      expect(event.stream).toBe(`events:${event.fields.event_type}`);
      expect(event.fields.aggregate_id).toBe(lead.id);
      expect(Number.isNaN(Date.parse(event.fields.occurred_at))).toBe(false);
    }
    expect(new Set(events.map((e) => e.fields.event_id)).size).toBe(events.length);
  });

  it("after deleteLead the stream keeps ids and types, and the outbox forgets the lead's personal data", async () => {
    const admin = await service.caller({ roles: ["admin"] });
    const lead = dataOf(await admin.gql(CAPTURE, { input: aCapture({ name: "Forget Me", phone: "+15555550199" }) })).captureLead;
    await admin.gql(DELETE, { id: lead.id });
    const deleted = await eventually(() => streamEventsOf(redis, admin.tenantId, ["events:LeadDeleted"]), (found) => found.length === 1);
    expect(deleted[0].fields).toMatchObject({ aggregate_id: lead.id, version: "2", data: "{}" });
    const db = new Client({ connectionString: service.database.adminUrl });
    await db.connect();
    try {
      const rows = await eventually(
        async () => (await db.query(`SELECT payload, lead_snapshot, published_at FROM outbox WHERE tenant_id = $1 AND aggregate_id = $2`, [admin.tenantId, lead.id])).rows,
        (found) => found.length === 2 && found.every((row) => row.published_at && row.lead_snapshot === null),
      );
      expect(rows.map((row) => [row.payload, row.lead_snapshot])).toEqual([[{}, null], [{}, null]]);
      expect(JSON.stringify(rows)).not.toContain("Forget Me");
    } finally {
      await db.end();
    }
  });
});
