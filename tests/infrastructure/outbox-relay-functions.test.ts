import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

// The relay's SECURITY DEFINER functions, called as the runtime role:
// crm_claim_outbox(batch) takes unpublished events across tenants, lead by lead
// in commit order under a transaction-scoped advisory lock per lead;
// crm_mark_outbox_published(ids, tenants) marks them and, once a lead's
// LeadDeleted is out, scrubs that lead's published rows; crm_outbox_backlog()
// counts what waits and how old the oldest is.

let database: TestDatabase;
let admin: Client;
let relayOne: Client;
let relayTwo: Client;

interface Event {
  tenant_id: string;
  id: string;
  aggregate_id: string;
  event_type: string;
  version: number;
  seq: string;
}

const tenant1 = randomUUID();
const tenant2 = randomUUID();

/** Inserts one unpublished event as the superuser, so seq follows the call order. */
async function addEvent(tenantId: string, leadId: string, version: number, eventType = "LeadContactUpdated", occurredAt = "now()"): Promise<Event> {
  const row = await admin.query(
    `INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, ${occurredAt})
     RETURNING tenant_id, id, aggregate_id, event_type, version, seq`,
    [tenantId, randomUUID(), leadId, eventType, version, JSON.stringify({ email: `${leadId}@example.com` }), JSON.stringify({ name: "Personal Name", leadId })],
  );
  return row.rows[0];
}

async function claim(client: Client, batchSize: number): Promise<Event[]> {
  return (await client.query(`SELECT tenant_id, id, aggregate_id, event_type, version, seq FROM crm_claim_outbox($1)`, [batchSize])).rows;
}

async function markPublished(client: Client, events: Pick<Event, "id" | "tenant_id">[]): Promise<number> {
  const result = await client.query(`SELECT crm_mark_outbox_published($1::uuid[], $2::uuid[]) AS marked`, [
    events.map((event) => event.id),
    events.map((event) => event.tenant_id),
  ]);
  return result.rows[0].marked;
}

const ids = (events: readonly Pick<Event, "id">[]) => events.map((event) => event.id);

async function rollbackAll(): Promise<void> {
  await relayOne.query("ROLLBACK").catch(() => {});
  await relayTwo.query("ROLLBACK").catch(() => {});
}

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new Client({ connectionString: database.adminUrl });
  relayOne = new Client({ connectionString: database.runtimeUrl });
  relayTwo = new Client({ connectionString: database.runtimeUrl });
  await Promise.all([admin.connect(), relayOne.connect(), relayTwo.connect()]);
});
beforeEach(async () => {
  await rollbackAll();
  await admin.query("DELETE FROM outbox");
});
afterAll(async () => {
  await rollbackAll();
  await Promise.all([relayOne?.end(), relayTwo?.end(), admin?.end()]);
  await database?.drop();
});

/**
 * Four leads of two tenants, interleaved: lead order by first event is
 * L1 (t1), L3 (t2), L2 (t1), L4 (t2).
 */
async function interleavedBacklog() {
  const [L1, L2, L3, L4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const e = {
    L1v1: await addEvent(tenant1, L1, 1, "LeadCaptured"),
    L3v1: await addEvent(tenant2, L3, 1, "LeadCaptured"),
    L1v2: await addEvent(tenant1, L1, 2),
    L2v1: await addEvent(tenant1, L2, 1, "LeadCaptured"),
    L3v2: await addEvent(tenant2, L3, 2),
    L1v3: await addEvent(tenant1, L1, 3),
    L4v1: await addEvent(tenant2, L4, 1, "LeadCaptured"),
    L2v2: await addEvent(tenant1, L2, 2),
  };
  return { leads: { L1, L2, L3, L4 }, e };
}

describe("crm_claim_outbox", () => {
  it("returns every tenant's events, lead by lead in order of each lead's first event, each lead's in seq order", async () => {
    const { e } = await interleavedBacklog();
    await relayOne.query("BEGIN");
    const claimed = await claim(relayOne, 100);
    expect(ids(claimed)).toEqual(ids([e.L1v1, e.L1v2, e.L1v3, e.L3v1, e.L3v2, e.L2v1, e.L2v2, e.L4v1]));
    // Per lead: seq strictly increasing, versions 1..n.
    const byLead = new Map<string, Event[]>();
    for (const event of claimed) byLead.set(event.aggregate_id, [...(byLead.get(event.aggregate_id) ?? []), event]);
    expect(byLead.size).toBe(4);
    for (const [lead, events] of byLead) {
      const seqs = events.map((event) => BigInt(event.seq));
      expect(seqs, lead).toEqual([...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(events.map((event) => event.version), lead).toEqual(events.map((_, index) => index + 1));
    }
    expect(new Set(claimed.map((event) => event.tenant_id))).toEqual(new Set([tenant1, tenant2]));
    await relayOne.query("ROLLBACK");
  });

  it("claims no more than the batch size in all, cutting the last lead's events to an in-order prefix", async () => {
    const { e } = await interleavedBacklog();
    for (const [size, expected] of [
      [1, [e.L1v1]],
      [2, [e.L1v1, e.L1v2]],
      [4, [e.L1v1, e.L1v2, e.L1v3, e.L3v1]],
      [6, [e.L1v1, e.L1v2, e.L1v3, e.L3v1, e.L3v2, e.L2v1]],
    ] as const) {
      await relayOne.query("BEGIN");
      expect(ids(await claim(relayOne, size)), `batch ${size}`).toEqual(ids(expected));
      await relayOne.query("ROLLBACK");
    }
    await relayOne.query("BEGIN");
    expect(await claim(relayOne, 0)).toEqual([]);
    await relayOne.query("ROLLBACK");
  });

  it("a second relay claiming while the first's transaction is open gets none of the first's leads, but other leads and leads added later", async () => {
    const { leads, e } = await interleavedBacklog();
    await relayOne.query("BEGIN");
    const first = await claim(relayOne, 4); // L1 whole and L3's first event: both leads locked
    expect(ids(first)).toEqual(ids([e.L1v1, e.L1v2, e.L1v3, e.L3v1]));

    const L5 = randomUUID();
    const L5v1 = await addEvent(tenant1, L5, 1, "LeadCaptured");
    const L1v4 = await addEvent(tenant1, leads.L1, 4); // a held lead's newer event stays with it

    await relayTwo.query("BEGIN");
    const second = await claim(relayTwo, 100);
    expect(ids(second)).toEqual(ids([e.L2v1, e.L2v2, e.L4v1, L5v1]));
    const held = new Set<string>([leads.L1, leads.L3]);
    expect(second.filter((event) => held.has(event.aggregate_id))).toEqual([]);

    // The locks are the transaction's: once the first relay rolls back (it crashed before marking), its leads come free again.
    await relayOne.query("ROLLBACK");
    await relayOne.query("BEGIN");
    const retried = await claim(relayOne, 100);
    expect(ids(retried)).toEqual(ids([e.L1v1, e.L1v2, e.L1v3, L1v4, e.L3v1, e.L3v2]));
    await relayOne.query("ROLLBACK");
    await relayTwo.query("ROLLBACK");
  });

  it("goes through row-level security for the runtime role, which reads no outbox row directly", async () => {
    await interleavedBacklog();
    await relayOne.query("BEGIN");
    expect((await relayOne.query(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n).toBe(0);
    expect((await claim(relayOne, 100)).length).toBe(8);
    await relayOne.query("ROLLBACK");
  });
});

describe("crm_mark_outbox_published", () => {
  it("marks claimed events (published_at set), so a later claim returns nothing; marking again marks nothing", async () => {
    const { e } = await interleavedBacklog();
    await relayOne.query("BEGIN");
    const claimed = await claim(relayOne, 100);
    expect(await markPublished(relayOne, claimed)).toBe(8);
    await relayOne.query("COMMIT");

    const rows = (await admin.query(`SELECT id, published_at FROM outbox`)).rows;
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row.published_at, row.id).toBeInstanceOf(Date);
    const firstStamp = (await admin.query(`SELECT published_at FROM outbox WHERE id = $1`, [e.L1v1.id])).rows[0].published_at;

    await relayTwo.query("BEGIN");
    expect(await claim(relayTwo, 100)).toEqual([]);
    expect(await markPublished(relayTwo, claimed)).toBe(0);
    await relayTwo.query("COMMIT");
    expect((await admin.query(`SELECT published_at FROM outbox WHERE id = $1`, [e.L1v1.id])).rows[0].published_at).toEqual(firstStamp);
  });

  it("marks only the named (tenant, id) pairs: a right id with another tenant marks nothing", async () => {
    const { e } = await interleavedBacklog();
    await relayOne.query("BEGIN");
    await claim(relayOne, 100);
    expect(await markPublished(relayOne, [{ id: e.L1v1.id, tenant_id: tenant2 }])).toBe(0);
    expect(await markPublished(relayOne, [e.L1v1, e.L3v1])).toBe(2);
    await relayOne.query("COMMIT");
    const published = (await admin.query(`SELECT id FROM outbox WHERE published_at IS NOT NULL ORDER BY seq`)).rows;
    expect(ids(published)).toEqual(ids([e.L1v1, e.L3v1]));
    await relayOne.query("BEGIN");
    // Leads now go by their oldest unpublished event: L1 (v2), L2 (v1), L3 (v2), L4.
    expect(ids(await claim(relayOne, 100))).toEqual(ids([e.L1v2, e.L1v3, e.L2v1, e.L2v2, e.L3v2, e.L4v1]));
    await relayOne.query("ROLLBACK");
  });

  it("marking rolled back with its transaction leaves the events to claim again (at least once)", async () => {
    const { e } = await interleavedBacklog();
    await relayOne.query("BEGIN");
    expect(await markPublished(relayOne, await claim(relayOne, 100))).toBe(8);
    await relayOne.query("ROLLBACK");
    expect((await admin.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)).rows[0].n).toBe(8);
    await relayTwo.query("BEGIN");
    expect(ids(await claim(relayTwo, 1))).toEqual(ids([e.L1v1]));
    await relayTwo.query("ROLLBACK");
  });

  it("once a lead's LeadDeleted is marked, that lead's published rows keep ids and types only; other leads keep their data", async () => {
    const [erased, kept] = [randomUUID(), randomUUID()];
    const earlier = [await addEvent(tenant1, erased, 1, "LeadCaptured"), await addEvent(tenant1, erased, 2, "LeadContactUpdated")];
    const keptEvents = [await addEvent(tenant1, kept, 1, "LeadCaptured")];
    // The same lead id under the other tenant is another lead: it must keep its data.
    const namesake = await addEvent(tenant2, erased, 1, "LeadCaptured");

    // The earlier events go out in one batch...
    await relayOne.query("BEGIN");
    const firstBatch = await claim(relayOne, 100);
    expect(ids(firstBatch)).toEqual(ids([...earlier, ...keptEvents, namesake]));
    await markPublished(relayOne, firstBatch);
    await relayOne.query("COMMIT");
    const deleted = await addEvent(tenant1, erased, 3, "LeadDeleted");
    // ...and the LeadDeleted in a later one; not yet marked, nothing is scrubbed.
    await relayOne.query("BEGIN");
    expect(ids(await claim(relayOne, 100))).toEqual(ids([deleted]));
    expect((await admin.query(`SELECT count(*)::int AS n FROM outbox WHERE payload = '{}'::jsonb`)).rows[0].n).toBe(0);
    expect(await markPublished(relayOne, [deleted])).toBe(1);
    await relayOne.query("COMMIT");

    const rows = (
      await admin.query(`SELECT tenant_id, aggregate_id, event_type, version, payload, lead_snapshot, published_at FROM outbox ORDER BY seq`)
    ).rows;
    const erasedRows = rows.filter((row) => row.tenant_id === tenant1 && row.aggregate_id === erased);
    expect(erasedRows.map((row) => [row.event_type, row.version, row.payload, row.lead_snapshot])).toEqual([
      ["LeadCaptured", 1, {}, null],
      ["LeadContactUpdated", 2, {}, null],
      ["LeadDeleted", 3, {}, null],
    ]);
    for (const row of erasedRows) expect(row.published_at).toBeInstanceOf(Date);
    const others = rows.filter((row) => !(row.tenant_id === tenant1 && row.aggregate_id === erased));
    expect(others).toHaveLength(2);
    for (const row of others) {
      expect(row.payload, `${row.tenant_id}/${row.aggregate_id}`).toEqual({ email: `${row.aggregate_id}@example.com` });
      expect(row.lead_snapshot, `${row.tenant_id}/${row.aggregate_id}`).toEqual({ name: "Personal Name", leadId: row.aggregate_id });
    }
  });

  it("scrubs a deleted lead's published rows only: an unpublished row of it keeps its data until it is out", async () => {
    const lead = randomUUID();
    const captured = await addEvent(tenant1, lead, 1, "LeadCaptured");
    const deleted = await addEvent(tenant1, lead, 2, "LeadDeleted");
    // A relay marking out of order (LeadDeleted alone) must not blank an event that was never sent.
    await relayOne.query("BEGIN");
    expect(await markPublished(relayOne, [deleted])).toBe(1);
    await relayOne.query("COMMIT");
    expect((await admin.query(`SELECT payload FROM outbox WHERE id = $1`, [captured.id])).rows[0].payload).toEqual({ email: `${lead}@example.com` });
  });
});

describe("crm_outbox_backlog", () => {
  it("reports 0 and age 0 with nothing waiting", async () => {
    const backlog = (await relayOne.query(`SELECT unpublished, oldest_age_seconds FROM crm_outbox_backlog()`)).rows[0];
    expect({ unpublished: Number(backlog.unpublished), age: backlog.oldest_age_seconds }).toEqual({ unpublished: 0, age: 0 });
  });

  it("counts every tenant's unpublished events and the age of the oldest, published ones aside", async () => {
    const lead = randomUUID();
    await addEvent(tenant1, lead, 1, "LeadCaptured", "now() - interval '90 seconds'");
    await addEvent(tenant2, randomUUID(), 1, "LeadCaptured", "now() - interval '30 seconds'");
    await addEvent(tenant1, randomUUID(), 1, "LeadCaptured");
    const alreadyOut = await addEvent(tenant2, randomUUID(), 1, "LeadCaptured", "now() - interval '1 hour'");
    await admin.query(`UPDATE outbox SET published_at = now() WHERE id = $1`, [alreadyOut.id]);

    const backlog = (await relayOne.query(`SELECT unpublished, oldest_age_seconds FROM crm_outbox_backlog()`)).rows[0];
    expect(Number(backlog.unpublished)).toBe(3);
    expect(backlog.oldest_age_seconds).toBeGreaterThanOrEqual(90);
    expect(backlog.oldest_age_seconds).toBeLessThan(150);
  });
});
