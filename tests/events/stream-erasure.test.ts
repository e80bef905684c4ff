import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { aCapture, CAPTURE, DELETE, TAG, UPDATE_CONTACT } from "../api/operations";
import { eventually, streamEventsOf, type StreamEvent } from "../support/redis-streams";
import { withClient } from "../support/test-database";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { ALL_LEAD_STREAMS } from "./stream-checks";

// RULES 2b: once a lead's LeadDeleted is published (deleteLead or a merge's
// duplicate), its stream entries that carry personal data are removed with
// XDEL; what remains about it is ids and event types only.
const redisUrl = inject("redisUrl");
let service: TestService;
let redis: Redis;
let admin: Caller;

beforeAll(async () => {
  if (!redisUrl) return;
  service = await startTestService({ REDIS_URL: redisUrl });
  redis = new Redis(redisUrl);
  admin = await service.caller({ roles: ["admin"] });
});
afterAll(async () => {
  redis?.disconnect();
  await service?.stop();
});

const personal = { name: "Erasable Person", email: `erase-${randomUUID().slice(0, 8)}@example.com`, phone: "+442079460099", company: "Secretive Ltd" };

/** A lead with a few events on several streams; answers its id once every event is in the streams. */
async function aLeadInTheStreams(caller: Caller, overrides: Record<string, unknown>) {
  const lead = dataOf(await caller.gql(CAPTURE, { input: aCapture(overrides) })).captureLead;
  dataOf(await caller.gql(UPDATE_CONTACT, { input: { id: lead.id, company: `${overrides.company ?? "Some"} Group` } }));
  dataOf(await caller.gql(TAG, { id: lead.id, tags: ["vip"] }));
  await eventually(() => entriesOf(caller.tenantId, lead.id), (entries) => entries.length >= 3);
  return lead.id as string;
}

async function entriesOf(tenantId: string, leadId: string): Promise<StreamEvent[]> {
  return (await streamEventsOf(redis, tenantId, ALL_LEAD_STREAMS)).filter((entry) => entry.fields.aggregate_id === leadId);
}

function carriesPersonalData(entry: StreamEvent, data: typeof personal): boolean {
  const text = JSON.stringify(entry.fields);
  return [data.name, data.email, data.phone, data.company].some((value) => text.includes(value));
}

describe.skipIf(!redisUrl && !process.env.CI)("erasure reaches the streams", () => {
  it("after deleteLead, no stream entry of the lead carries its name, email, phone or company; other leads' entries intact", async () => {
    const erased = await aLeadInTheStreams(admin, personal);
    const other = { name: "Kept Person", email: `kept-${randomUUID().slice(0, 8)}@example.com`, phone: "+442079460098", company: "Kept Ltd" };
    const kept = await aLeadInTheStreams(admin, other);
    const before = await entriesOf(admin.tenantId, erased);
    expect(before.some((entry) => carriesPersonalData(entry, personal))).toBe(true);
    const keptBefore = await entriesOf(admin.tenantId, kept);

    dataOf(await admin.gql(DELETE, { id: erased }));
    const after = await eventually(
      () => entriesOf(admin.tenantId, erased),
      (entries) => entries.some((entry) => entry.fields.event_type === "LeadDeleted") && !entries.some((entry) => carriesPersonalData(entry, personal)),
    );
    expect(after.filter((entry) => carriesPersonalData(entry, personal))).toEqual([]);
    // What remains of it: its LeadDeleted entry, ids and the event type only.
    expect(after.map((entry) => entry.fields.event_type)).toEqual(["LeadDeleted"]);
    expect(JSON.parse(after[0].fields.data)).toEqual({});
    expect(await entriesOf(admin.tenantId, kept)).toEqual(keptBefore);
  });

  it("is driven by LeadDeleted being published, whatever wrote it: a merge's duplicate (LeadDeleted {mergedInto}) is erased too", async () => {
    const data = { ...personal, email: `merged-${randomUUID().slice(0, 8)}@example.com` };
    const duplicate = await aLeadInTheStreams(admin, data);
    const survivor = randomUUID();
    // What mergeLeads commits for the duplicate: its row gone, LEAD_DELETED {mergedInto} in the outbox.
    await withClient(service.database.adminUrl, async (client) => {
      await client.query(`DELETE FROM lead WHERE tenant_id = $1 AND id = $2`, [admin.tenantId, duplicate]);
      await client.query(
        `INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, occurred_at)
         VALUES ($1, $2, $3, 'LeadDeleted', 4, $4, now())`,
        [admin.tenantId, randomUUID(), duplicate, JSON.stringify({ mergedInto: survivor })],
      );
    });
    service.service.relay.poke();
    const after = await eventually(
      () => entriesOf(admin.tenantId, duplicate),
      (entries) => entries.some((entry) => entry.fields.event_type === "LeadDeleted") && !entries.some((entry) => carriesPersonalData(entry, data)),
    );
    expect(after.map((entry) => entry.fields.event_type)).toEqual(["LeadDeleted"]);
    expect(JSON.parse(after[0].fields.data)).toEqual({ mergedInto: survivor });
  });

  it("after mergeLeads, no stream entry of the duplicate carries its personal data; the survivor's entries intact", async () => {
    const data = { ...personal, email: `dup-${randomUUID().slice(0, 8)}@example.com` };
    const duplicate = await aLeadInTheStreams(admin, data);
    const survivor = await aLeadInTheStreams(admin, { name: "Surviving Person", email: `survivor-${randomUUID().slice(0, 8)}@example.com` });
    const survivorBefore = await entriesOf(admin.tenantId, survivor);
    dataOf(await admin.gql(`mutation($d: ID!, $s: ID!) { mergeLeads(duplicateId: $d, survivorId: $s) { id } }`, { d: duplicate, s: survivor }));
    const after = await eventually(
      () => entriesOf(admin.tenantId, duplicate),
      (entries) => entries.some((entry) => entry.fields.event_type === "LeadDeleted") && !entries.some((entry) => carriesPersonalData(entry, data)),
    );
    expect(after.map((entry) => entry.fields.event_type)).toEqual(["LeadDeleted"]);
    expect(JSON.parse(after[0].fields.data)).toEqual({ mergedInto: survivor });
    const survivorAfter = await entriesOf(admin.tenantId, survivor);
    expect(survivorAfter.slice(0, survivorBefore.length)).toEqual(survivorBefore);
  });

  it("finds the entries by the stream ids the relay recorded, not by scanning the streams", async () => {
    const leadId = await aLeadInTheStreams(admin, { ...personal, email: `ids-${randomUUID().slice(0, 8)}@example.com` });
    const entries = await entriesOf(admin.tenantId, leadId);
    const recorded = await withClient(service.database.adminUrl, async (client) =>
      (await client.query(`SELECT event_type, stream_id FROM outbox WHERE tenant_id = $1 AND aggregate_id = $2`, [admin.tenantId, leadId])).rows,
    );
    expect(recorded.map((row) => `events:${row.event_type} ${row.stream_id}`).sort()).toEqual(entries.map((entry) => `${entry.stream} ${entry.id}`).sort());
  });
});
