import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { aCapture, CAPTURE, TAG, UNTAG, UPDATE_CONTACT } from "../api/operations";
import { eventually } from "../support/redis-streams";
import { subscribe, type Subscriber } from "../support/subscriber";
import { createTestDatabase, withClient, type TestDatabase } from "../support/test-database";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";

// RULES 2b, Resume: leadEvents(after:) replays the tenant's events committed
// after `after` (commit order, filtered like live ones), then live ones follow:
// none missed, none twice, even while other instances keep writing.
const redisUrl = inject("redisUrl");
const REPLAY_CAP = 40;
let database: TestDatabase;
/** Where subscribers resume. */
let resumeSide: TestService;
/** Where the writes happen meanwhile (another instance); its replay cap is small. */
let writeSide: TestService;

const RESUME = `subscription($after: ID, $leadId: ID, $types: [LeadEventType!]) { leadEvents(after: $after, leadId: $leadId, types: $types) {
  eventId type leadId version lead { id version } } }`;

beforeAll(async () => {
  if (!redisUrl) return;
  database = await createTestDatabase();
  resumeSide = await startTestService({ REDIS_URL: redisUrl }, { database });
  writeSide = await startTestService({ REDIS_URL: redisUrl, EVENT_REPLAY_LIMIT: String(REPLAY_CAP) }, { database });
}, 60_000);
afterAll(async () => {
  await resumeSide?.stop();
  await writeSide?.stop();
  await database?.drop();
});

/** The tenant's committed event ids in commit order (the outbox's seq). */
async function committedEvents(tenantId: string): Promise<{ id: string; published: boolean }[]> {
  return withClient(database.adminUrl, async (client) =>
    (await client.query(`SELECT id, published_at IS NOT NULL AS published FROM outbox WHERE tenant_id = $1 ORDER BY seq`, [tenantId])).rows,
  );
}

async function allPublished(tenantId: string): Promise<string[]> {
  const events = await eventually(() => committedEvents(tenantId), (rows) => rows.every((row) => row.published), 20_000);
  return events.map((row) => row.id);
}

/** One event on the lead each call (a tag on, then off: a lead holds at most 20 tags). */
const flips = new Map<string, number>();
async function flipTag(caller: Caller, leadId: string): Promise<void> {
  const n = flips.get(leadId) ?? 0;
  flips.set(leadId, n + 1);
  dataOf(await caller.gql(n % 2 === 0 ? TAG : UNTAG, { id: leadId, tags: ["flip"] }));
}

function resume(service: TestService, caller: Caller, variables: Record<string, unknown>): Promise<Subscriber> {
  return subscribe(service.url, caller.token, RESUME, variables);
}

/** The single error a refused subscription ended with. */
async function refusalOf(subscriber: Subscriber): Promise<string> {
  await eventually(async () => subscriber.errors.length, (n) => n > 0, 10_000);
  const [error] = subscriber.errors as { extensions?: { code?: string } }[][];
  return String(error?.[0]?.extensions?.code);
}

describe.skipIf(!redisUrl && !process.env.CI)("leadEvents(after:): resume", () => {
  it("a dropped subscriber resumes with its last eventId: exactly the missed events, then live ones, under steady writes on another instance (repeated)", async () => {
    const writer = await writeSide.caller({ roles: ["sales_rep"] });
    const reader = await resumeSide.caller({ tenantId: writer.tenantId, roles: ["viewer"] });
    const leads: string[] = [];
    for (let i = 0; i < 3; i++) leads.push(dataOf(await writer.gql(CAPTURE, { input: aCapture() })).captureLead.id);
    let last = (await allPublished(writer.tenantId)).at(-1)!;

    let writes = 0;
    const write = async () => {
      const leadId = leads[writes % leads.length];
      writes++;
      await flipTag(writer, leadId);
    };

    for (let round = 0; round < 8; round++) {
      // Dropped: events happen meanwhile, on the other instance.
      for (let i = 0; i < 3; i++) await write();
      // A steady stream of writes across the switch from replay to live.
      let writing = true;
      const stream = (async () => {
        while (writing) await write();
      })();
      const subscriber = await resume(resumeSide, reader, { after: last });
      await new Promise((resolve) => setTimeout(resolve, 150));
      writing = false;
      await stream;

      const committed = await allPublished(writer.tenantId);
      const expected = committed.slice(committed.indexOf(last) + 1);
      await subscriber.waitFor(expected.length, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 200)); // nothing extra arrives
      const got = subscriber.received.map((event) => event.eventId);
      expect(subscriber.errors).toEqual([]);
      expect(new Set(got).size).toBe(got.length); // none twice
      expect([...got].sort()).toEqual([...expected].sort()); // none missed
      for (const leadId of leads) {
        const versions = subscriber.received.filter((event) => event.leadId === leadId).map((event) => event.version);
        expect(versions).toEqual([...versions].sort((a, b) => a - b)); // each lead in version order
      }
      await subscriber.dispose();
      last = got.at(-1)!;
    }
  }, 120_000);

  it("applies leadId and types to the replayed events as to live ones", async () => {
    const writer = await writeSide.caller({ roles: ["sales_rep"] });
    const a = dataOf(await writer.gql(CAPTURE, { input: aCapture() })).captureLead.id;
    const b = dataOf(await writer.gql(CAPTURE, { input: aCapture() })).captureLead.id;
    const after = (await allPublished(writer.tenantId)).at(-1)!;
    for (const id of [a, b]) {
      dataOf(await writer.gql(TAG, { id, tags: ["x"] }));
      dataOf(await writer.gql(UPDATE_CONTACT, { input: { id, company: "Filtered Ltd" } }));
    }
    await allPublished(writer.tenantId);
    const subscriber = await resume(resumeSide, writer, { after, leadId: a, types: ["LEAD_TAGS_CHANGED"] });
    await subscriber.waitFor(1);
    dataOf(await writer.gql(TAG, { id: a, tags: ["y"] })); // live, matches
    dataOf(await writer.gql(TAG, { id: b, tags: ["y"] })); // live, another lead
    await subscriber.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subscriber.received.map((event) => [event.leadId, event.type])).toEqual([
      [a, "LEAD_TAGS_CHANGED"],
      [a, "LEAD_TAGS_CHANGED"],
    ]);
    await subscriber.dispose();
  });

  it("refuses an unknown, a foreign or an expired position with RESUME_POINT_UNKNOWN, ending the subscription", async () => {
    const writer = await writeSide.caller({ roles: ["sales_rep"] });
    dataOf(await writer.gql(CAPTURE, { input: aCapture() }));
    const [own] = await allPublished(writer.tenantId);
    const stranger = await resumeSide.caller({ roles: ["admin"] });
    for (const [caller, after] of [
      [writer, randomUUID()], // no such event
      [writer, "not-an-event-id"],
      [stranger, own], // another tenant's event
    ] as const) {
      const subscriber = await resume(resumeSide, caller, { after });
      expect(await refusalOf(subscriber)).toBe("RESUME_POINT_UNKNOWN");
      expect(subscriber.received).toEqual([]);
      await subscriber.dispose();
    }
    // Older than EVENT_REPLAY_RETENTION_SECONDS (7 days by default).
    await withClient(database.adminUrl, (client) => client.query(`UPDATE outbox SET occurred_at = now() - interval '8 days' WHERE id = $1`, [own]));
    const expired = await resume(resumeSide, writer, { after: own });
    expect(await refusalOf(expired)).toBe("RESUME_POINT_UNKNOWN");
    await expired.dispose();
  });

  it("an erased lead leaves ids-only tombstones: its events stay valid positions, and only its LeadDeleted is replayed", async () => {
    const admin = await writeSide.caller({ roles: ["admin"] });
    const lead = dataOf(await admin.gql(CAPTURE, { input: aCapture() })).captureLead.id;
    const [captured] = await allPublished(admin.tenantId);
    dataOf(await admin.gql(TAG, { id: lead, tags: ["gone"] }));
    dataOf(await admin.gql(`mutation($id: ID!) { deleteLead(id: $id) }`, { id: lead }));
    await allPublished(admin.tenantId);
    const subscriber = await resume(resumeSide, admin, { after: captured });
    await subscriber.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subscriber.received.map((event) => [event.type, event.lead])).toEqual([["LEAD_DELETED", null]]);
    await subscriber.dispose();
  });

  it("more than EVENT_REPLAY_LIMIT events to replay ends with RESUME_WINDOW_EXCEEDED", async () => {
    const writer = await writeSide.caller({ roles: ["sales_rep"] });
    const lead = dataOf(await writer.gql(CAPTURE, { input: aCapture() })).captureLead.id;
    const [first] = await allPublished(writer.tenantId);
    for (let i = 0; i < REPLAY_CAP + 1; i++) await flipTag(writer, lead);
    await allPublished(writer.tenantId);
    const subscriber = await resume(writeSide, writer, { after: first });
    expect(await refusalOf(subscriber)).toBe("RESUME_WINDOW_EXCEEDED");
    expect(subscriber.received).toEqual([]);
    await subscriber.dispose();
    // At the cap exactly, it replays.
    const committed = await allPublished(writer.tenantId);
    const atCap = await resume(writeSide, writer, { after: committed.at(-1 - REPLAY_CAP)! });
    await atCap.waitFor(REPLAY_CAP);
    await atCap.dispose();
  });
});

describe("leadEvents(after:) on one instance without Redis (the in-process bus)", () => {
  it("replays what was missed, then goes live", async () => {
    const single = await startTestService();
    try {
      const rep = await single.caller({ roles: ["sales_rep"] });
      const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead.id;
      const published = async () =>
        eventually(
          () => withClient(single.database.adminUrl, async (client) => (await client.query(`SELECT id, published_at FROM outbox WHERE tenant_id = $1 ORDER BY seq`, [rep.tenantId])).rows),
          (rows) => rows.every((row) => row.published_at !== null),
        );
      const [captured] = await published();
      await flipTag(rep, lead);
      await flipTag(rep, lead);
      const missed = (await published()).slice(1).map((row) => row.id);
      const subscriber = await subscribe(single.url, rep.token, RESUME, { after: captured.id });
      await subscriber.waitFor(missed.length);
      await flipTag(rep, lead);
      await subscriber.waitFor(missed.length + 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const all = (await published()).slice(1).map((row) => row.id);
      expect(subscriber.received.map((event) => event.eventId)).toEqual(all);
      await subscriber.dispose();
    } finally {
      await single.stop();
    }
  }, 60_000);
});
