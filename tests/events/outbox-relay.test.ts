import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PublishedLeadEvent } from "../../src/application/live-events";
import { createLogger } from "../../src/infrastructure/logger";
import type { EventPublisher } from "../../src/infrastructure/outbox/outbox-record";
import { OutboxRelay } from "../../src/infrastructure/outbox/outbox-relay";
import type { PrismaClient } from "../../src/infrastructure/prisma/generated/client";
import { createPrismaClient } from "../../src/infrastructure/prisma/prisma-client";
import { eventually } from "../support/redis-streams";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { sleep } from "./stream-checks";

// The relay on its own: a fresh database, outbox rows written as the superuser
// (as committed commands would leave them), relays working as the runtime role.
let database: TestDatabase;
let admin: Client;
const clients: PrismaClient[] = [];
const logger = createLogger("silent");

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new Client({ connectionString: database.adminUrl });
  await admin.connect();
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.$disconnect()));
  await admin?.end();
  await database?.drop();
});

/** A Prisma client on the runtime role, as the service's relay has. */
function runtimePrisma(): PrismaClient {
  const client = createPrismaClient(database.runtimeUrl, { poolMax: 2 });
  clients.push(client);
  return client;
}

const EVENT_TYPES = ["LeadCaptured", "LeadAssigned", "LeadStatusChanged", "LeadScoreChanged", "LeadActivityLogged", "LeadTagsChanged"];

/** Writes `perLead` events for each lead, interleaved across leads (commit order mixes leads), one transaction per round. */
async function writeEvents(tenantId: string, leadIds: string[], perLead: number, firstVersion = 1): Promise<string[]> {
  const ids: string[] = [];
  for (let round = 0; round < perLead; round++) {
    const values: unknown[] = [];
    const rows: string[] = [];
    for (const leadId of leadIds) {
      const id = randomUUID();
      ids.push(id);
      const version = firstVersion + round;
      const p = values.length;
      rows.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}, now())`);
      values.push(tenantId, id, leadId, EVENT_TYPES[version % EVENT_TYPES.length], version, JSON.stringify({ n: version }), JSON.stringify({ id: leadId, version }));
    }
    await admin.query(
      `INSERT INTO outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, occurred_at) VALUES ${rows.join(", ")}`,
      values,
    );
  }
  return ids;
}

async function unpublishedOf(tenantId: string): Promise<number> {
  return (await admin.query(`SELECT count(*)::int AS n FROM outbox WHERE tenant_id = $1 AND published_at IS NULL`, [tenantId])).rows[0].n;
}

interface Delivery {
  event: PublishedLeadEvent;
  /** When it went out, on one clock shared by every publisher of the test. */
  tick: number;
  by: string;
}

let clock = 0;
/** A publisher that records what it was handed (optionally slow, to make relays overlap). */
function recordingPublisher(by: string, log: Delivery[], delayMs = 0): EventPublisher {
  return {
    async publish(events) {
      const tick = ++clock;
      for (const event of events) log.push({ event, tick, by });
      if (delayMs) await sleep(delayMs);
      return events.map(() => null);
    },
    removeStreamEntries: async () => 0,
  };
}

/** Drains what `relay` can claim (the whole outbox of this database). */
async function drain(relay: OutboxRelay): Promise<number> {
  let total = 0;
  for (let n = await relay.relayOnce(); n > 0; n = await relay.relayOnce()) total += n;
  return total;
}

/** Every lead's events in the order they went out: versions must never go back. */
function outOfOrderLeads(deliveries: Delivery[]): string[] {
  const lastVersion = new Map<string, number>();
  const bad = new Set<string>();
  const ordered = [...deliveries].map((d, index) => ({ d, index })).sort((a, b) => a.d.tick - b.d.tick || a.index - b.index);
  for (const { d } of ordered) {
    const before = lastVersion.get(d.event.leadId) ?? 0;
    if (d.event.version <= before) bad.add(d.event.leadId);
    lastVersion.set(d.event.leadId, d.event.version);
  }
  return [...bad];
}

describe("the outbox relay (OutboxRelay over crm_claim_outbox / crm_mark_outbox_published)", () => {
  it("at least once: a crash between publish and mark leaves the rows unpublished, and a later relayOnce publishes them again", async () => {
    const tenantId = randomUUID();
    const leads = [randomUUID(), randomUUID(), randomUUID()];
    const ids = await writeEvents(tenantId, leads, 3);

    const crashed: PublishedLeadEvent[] = [];
    const crashing: EventPublisher = {
      async publish(events) {
        crashed.push(...events); // it reached Redis...
        throw new Error("crashed before marking"); // ...and the process died before the mark
      },
      removeStreamEntries: async () => 0,
    };
    const prisma = runtimePrisma();
    await expect(new OutboxRelay(prisma, crashing, logger).relayOnce()).rejects.toThrow("crashed before marking");
    expect(crashed.map((e) => e.eventId).sort()).toEqual([...ids].sort());
    expect(await unpublishedOf(tenantId)).toBe(9); // rolled back: nothing marked

    const log: Delivery[] = [];
    const relay = new OutboxRelay(prisma, recordingPublisher("second", log), logger);
    expect(await relay.backlog()).toMatchObject({ unpublished: 9 });
    expect(await drain(relay)).toBe(9);
    // Published again, every one (duplicates downstream are allowed; losses are not).
    expect(log.map((d) => d.event.eventId).sort()).toEqual([...ids].sort());
    expect(outOfOrderLeads(log)).toEqual([]);
    expect(log[0].event).toMatchObject({ tenantId, payload: expect.any(Object), lead: expect.any(Object) });
    expect(await unpublishedOf(tenantId)).toBe(0);
    expect(await relay.backlog()).toMatchObject({ unpublished: 0 });
    // Once marked, never again.
    expect(await relay.relayOnce()).toBe(0);
  });

  it("the crash also releases the claim: another relay (another connection) can take the rows at once", async () => {
    const tenantId = randomUUID();
    const ids = await writeEvents(tenantId, [randomUUID()], 4);
    const failing = new OutboxRelay(runtimePrisma(), { publish: async () => Promise.reject(new Error("Redis went away")), removeStreamEntries: async () => 0 }, logger);
    await expect(failing.relayOnce()).rejects.toThrow("Redis went away");
    const log: Delivery[] = [];
    expect(await drain(new OutboxRelay(runtimePrisma(), recordingPublisher("other", log), logger))).toBe(4);
    expect(log.map((d) => [d.event.eventId, d.event.version])).toEqual(ids.map((id, i) => [id, i + 1]));
  });

  it("two relays running side by side publish every event exactly once, in order per lead", async () => {
    const tenantId = randomUUID();
    const leads = Array.from({ length: 30 }, () => randomUUID());
    const log: Delivery[] = [];
    // Slow publishers and small batches: the relays' claims overlap in time all along.
    const relayA = new OutboxRelay(runtimePrisma(), recordingPublisher("A", log, 15), logger, { batchSize: 5, idleMs: 10, retryMs: 10 });
    const relayB = new OutboxRelay(runtimePrisma(), recordingPublisher("B", log, 15), logger, { batchSize: 5, idleMs: 10, retryMs: 10 });

    const ids = await writeEvents(tenantId, leads, 4); // a backlog before they start...
    relayA.start();
    relayB.start();
    try {
      // ...and more committed while they run, for the same leads.
      for (let wave = 0; wave < 4; wave++) {
        ids.push(...(await writeEvents(tenantId, leads, 1, 5 + wave)));
        await sleep(20);
      }
      await eventually(() => unpublishedOf(tenantId), (n) => n === 0, 30_000);
    } finally {
      await Promise.all([relayA.stop(), relayB.stop()]);
    }
    expect(await unpublishedOf(tenantId)).toBe(0);

    const mine = log.filter((d) => d.event.tenantId === tenantId);
    expect(mine).toHaveLength(ids.length); // 30 leads x 8 events
    expect(new Set(mine.map((d) => d.event.eventId)).size).toBe(ids.length); // none twice
    expect(mine.map((d) => d.event.eventId).sort()).toEqual([...ids].sort()); // none lost
    expect(outOfOrderLeads(mine)).toEqual([]);
    for (const leadId of leads) {
      expect(mine.filter((d) => d.event.leadId === leadId).map((d) => d.event.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
    // Both relays really worked (otherwise this would say nothing about concurrency).
    expect(new Set(mine.map((d) => d.by))).toEqual(new Set(["A", "B"]));
  });

  // A long outage must drain in bounded batches, not in one transaction holding a lock per lead.
  it("a claim never returns more than batchSize events", async () => {
    const tenantId = randomUUID();
    await writeEvents(tenantId, Array.from({ length: 10 }, () => randomUUID()), 1);
    const log: Delivery[] = [];
    const relay = new OutboxRelay(runtimePrisma(), recordingPublisher("bounded", log), logger, { batchSize: 3 });
    try {
      expect(await relay.relayOnce()).toBeLessThanOrEqual(3);
    } finally {
      await drain(relay);
    }
  });
});
