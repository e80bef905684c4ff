import { randomBytes, randomUUID } from "node:crypto";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { PublishedLeadEvent } from "../../src/application/live-events";
import { RedisEventPublisher } from "../../src/infrastructure/outbox/redis-event-publisher";
import { aCapture, ASSIGN, CAPTURE, CONVERT, DELETE, LEAD, LOG_ACTIVITY, QUALIFY, TAG } from "../api/operations";
import { eventually, streamEventsOf } from "../support/redis-streams";
import { dataOf, startTestService, type TestService } from "../support/test-service";
import { ALL_LEAD_STREAMS, crossStreamReorderings, inStreamOrder, STREAM_FIELDS, withAdmin } from "./stream-checks";

const redisUrl = inject("redisUrl");
let service: TestService;
let redis: Redis;

beforeAll(async () => {
  if (!redisUrl) return;
  service = await startTestService({ REDIS_URL: redisUrl });
  redis = new Redis(redisUrl);
});
afterAll(async () => {
  redis?.disconnect();
  await service?.stop();
});

interface OutboxRow {
  id: string;
  event_type: string;
  version: number;
  payload: Record<string, unknown>;
  lead_snapshot: Record<string, unknown> | null;
  occurred_at: Date;
  published_at: Date | null;
}

/** The outbox rows of one lead, in commit order, once every one of them is published. */
async function publishedOutboxOf(tenantId: string, leadId: string, count: number): Promise<OutboxRow[]> {
  return withAdmin(service.database.adminUrl, (db) =>
    eventually(
      async () =>
        (
          await db.query<OutboxRow>(
            `SELECT id, event_type, version, payload, lead_snapshot, occurred_at, published_at FROM outbox
             WHERE tenant_id = $1 AND aggregate_id = $2 ORDER BY seq`,
            [tenantId, leadId],
          )
        ).rows,
      (rows) => rows.length === count && rows.every((row) => row.published_at !== null),
      20_000,
    ),
  );
}

describe.skipIf(!redisUrl && !process.env.CI)("domain events on Redis Streams (events:<EventName>)", () => {
  it("a scripted lead life puts exactly the expected events on the streams, with every field, version and payload", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const email = `streams.${randomUUID().slice(0, 8)}@example.com`;
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture({ name: "Stream Life", email, source: "EVENT" }) })).captureLead;
    expect(lead).toMatchObject({ owner: null, score: 25, version: 1 });
    dataOf(await rep.gql(ASSIGN, { id: lead.id, ownerId: rep.userId }));
    dataOf(await rep.gql(QUALIFY, { id: lead.id, value: { amountMinor: 100_000, currency: "USD" } }));
    const activity = dataOf(await rep.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "CALL", summary: "first call" } })).logLeadActivity;
    const converted = dataOf(await rep.gql(CONVERT, { id: lead.id })).convertLead;
    expect(converted).toMatchObject({ status: "CONVERTED", score: 100, version: 5 });

    // Once the outbox says every row went out, the streams hold all of them: nothing more can come.
    const outbox = await publishedOutboxOf(rep.tenantId, lead.id, 8);
    const events = await streamEventsOf(redis, rep.tenantId, ALL_LEAD_STREAMS);

    // Exactly these entries, stream by stream, in stream order.
    const byStream = Object.fromEntries(
      ALL_LEAD_STREAMS.map((stream) => [
        stream,
        inStreamOrder(events.filter((e) => e.stream === stream)).map((e) => [Number(e.fields.version), JSON.parse(e.fields.data)]),
      ]),
    );
    expect(byStream).toEqual({
      "events:LeadCaptured": [
        [
          1,
          {
            id: lead.id,
            name: "Stream Life",
            email,
            phone: null,
            company: null,
            source: "EVENT",
            status: "NEW",
            score: 25,
            estimatedValue: null,
            tags: [],
            ownerId: null,
            campaignId: null,
            createdAt: lead.createdAt,
          },
        ],
      ],
      "events:LeadContactUpdated": [],
      "events:LeadAssigned": [[2, { from: null, to: rep.userId }]],
      "events:LeadStatusChanged": [
        // qualifyLead's status change also carries the value it was qualified at (beyond RULES' {from, to, reason?})
        [3, { from: "NEW", to: "QUALIFIED" }],
        [5, { from: "QUALIFIED", to: "CONVERTED" }],
      ],
      "events:LeadActivityLogged": [[4, { activityId: activity.id, type: "CALL" }]],
      "events:LeadTagsChanged": [],
      "events:LeadScoreChanged": [
        [3, { from: 25, to: 45 }], // + 10 for 100,000 minor units, + 10 for QUALIFIED
        [4, { from: 45, to: 50 }], // + 5 per activity
        [5, { from: 50, to: 100 }], // CONVERTED is always 100
      ],
      "events:LeadEnriched": [],
      "events:LeadDeleted": [],
      "events:LeadMerged": [],
    });

    // Every entry: exactly the contract's fields, consistent with the outbox row it came from.
    const rowsById = new Map(outbox.map((row) => [row.id, row]));
    for (const event of events) {
      expect(Object.keys(event.fields).sort()).toEqual(STREAM_FIELDS);
      expect(event.stream).toBe(`events:${event.fields.event_type}`);
      expect(event.fields).toMatchObject({ tenant_id: rep.tenantId, aggregate_id: lead.id });
      expect(event.fields.version).toMatch(/^[1-9]\d*$/);
      expect(event.fields.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const row = rowsById.get(event.fields.event_id);
      expect(row, `stream entry ${event.fields.event_id} has no outbox row`).toBeDefined();
      expect([event.fields.event_type, Number(event.fields.version), Date.parse(event.fields.occurred_at)]).toEqual([
        row!.event_type,
        row!.version,
        row!.occurred_at.getTime(),
      ]);
      expect(JSON.parse(event.fields.data)).toEqual(row!.payload);
    }
    // Each outbox row went out exactly once (this run published nothing twice).
    expect(events.map((e) => e.fields.event_id).sort()).toEqual(outbox.map((row) => row.id).sort());
    // In order per lead, also across streams (where the stream clock can tell).
    expect(crossStreamReorderings(events)).toEqual([]);
    // The outbox keeps the fixed order inside one mutation: the change, its status change, then the score.
    expect(outbox.map((row) => [row.event_type, row.version])).toEqual([
      ["LeadCaptured", 1],
      ["LeadAssigned", 2],
      ["LeadStatusChanged", 3],
      ["LeadScoreChanged", 3],
      ["LeadActivityLogged", 4],
      ["LeadScoreChanged", 4],
      ["LeadStatusChanged", 5],
      ["LeadScoreChanged", 5],
    ]);
  });

  it("after deleteLead, the lead's published outbox rows keep ids and types only (payload {}, lead_snapshot null)", async () => {
    const admin = await service.caller({ roles: ["admin"] });
    const secret = `Erase ${randomUUID().slice(0, 8)}`;
    const email = `erase.${randomUUID().slice(0, 8)}@example.com`;
    const lead = dataOf(
      await admin.gql(CAPTURE, { input: aCapture({ name: secret, email, phone: "+15555550123", company: "Private Co" }) }),
    ).captureLead;
    dataOf(await admin.gql(TAG, { id: lead.id, tags: ["vip"] }));
    // Let the first rows go out before the delete, so the scrub has published rows to clean.
    await publishedOutboxOf(admin.tenantId, lead.id, 2);
    expect(dataOf(await admin.gql(DELETE, { id: lead.id })).deleteLead).toBe(lead.id);

    const rows = await publishedOutboxOf(admin.tenantId, lead.id, 3);
    const scrubbed = await withAdmin(service.database.adminUrl, (db) =>
      eventually(
        async () =>
          (await db.query<OutboxRow>(`SELECT id, event_type, version, payload, lead_snapshot FROM outbox WHERE tenant_id = $1 AND aggregate_id = $2 ORDER BY seq`, [admin.tenantId, lead.id])).rows,
        (found) => found.every((row) => row.lead_snapshot === null && Object.keys(row.payload).length === 0),
      ),
    );
    expect(scrubbed.map((row) => [row.id, row.event_type, row.version, row.payload, row.lead_snapshot])).toEqual(
      rows.map((row) => [row.id, row.event_type, row.version, {}, null]),
    );
    expect(scrubbed.map((row) => row.event_type)).toEqual(["LeadCaptured", "LeadTagsChanged", "LeadDeleted"]);
    const everything = await withAdmin(service.database.adminUrl, async (db) =>
      JSON.stringify((await db.query(`SELECT * FROM outbox WHERE tenant_id = $1`, [admin.tenantId])).rows),
    );
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(email);

    // LEAD_DELETED on its stream: the last version + 1, an empty payload.
    const deleted = await streamEventsOf(redis, admin.tenantId, ["events:LeadDeleted"]);
    expect(deleted.map((e) => e.fields)).toEqual([
      expect.objectContaining({ event_type: "LeadDeleted", aggregate_id: lead.id, version: "3", data: "{}", event_id: rows[2].id }),
    ]);
    expect(dataOf(await admin.gql(LEAD, { id: lead.id })).lead).toBeNull();
  });

  it("streams are capped: XADD ... MAXLEN ~ keeps a stream near EVENT_STREAM_MAXLEN (100) after 300 events", async () => {
    const name = `CapProbe${randomBytes(6).toString("hex")}`; // a stream of this test's own
    const stream = `events:${name}`;
    const tenantId = randomUUID();
    const publisher = new RedisEventPublisher(redis, 100);
    const eventNumber = (n: number): PublishedLeadEvent => ({
      eventId: randomUUID(),
      name: name as PublishedLeadEvent["name"],
      tenantId,
      leadId: randomUUID(),
      version: n,
      occurredAt: new Date().toISOString(),
      actorId: null,
      payload: { n },
      lead: null,
    });
    try {
      for (let batch = 0; batch < 15; batch++) {
        await publisher.publish(Array.from({ length: 20 }, (_, i) => eventNumber(batch * 20 + i + 1)));
      }
      const nodeSize = Number(((await redis.config("GET", "stream-node-max-entries").catch(() => [])) as string[])[1] ?? 100);
      const length = await redis.xlen(stream);
      // Approximate trimming removes whole macro nodes only: never below MAXLEN, at most one node above.
      expect(length).toBeGreaterThanOrEqual(100);
      expect(length).toBeLessThanOrEqual(100 + Math.max(nodeSize, 1));
      expect(length).toBeLessThan(300);
      // What is kept is the newest tail, in publish order.
      const kept = (await redis.xrange(stream, "-", "+")).map(([, flat]) => Number(flat[flat.indexOf("version") + 1]));
      expect(kept).toEqual(Array.from({ length }, (_, i) => 300 - length + i + 1));
    } finally {
      await redis.del(stream);
    }
  });
});
