import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { aCapture, CAPTURE } from "../api/operations";
import { ChildRedis, redisServerBinary } from "../events/stream-checks";
import { eventually } from "../support/redis-streams";
import { createTestDatabase, withClient, type TestDatabase } from "../support/test-database";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { ChangeMaker, countedInSql, lookups, summaryOf, uniquePrefix } from "./cache-checks";

const redisUrl = inject("redisUrl");
const prefix = uniquePrefix();
let database: TestDatabase;
let a: TestService;
let b: TestService;
let redis: Redis;

beforeAll(async () => {
  if (!redisUrl) return;
  database = await createTestDatabase();
  // Two instances of one deployment: one database, one Redis, one key prefix.
  a = await startTestService({ REDIS_URL: redisUrl, CACHE_KEY_PREFIX: prefix }, { database });
  b = await startTestService({ REDIS_URL: redisUrl, CACHE_KEY_PREFIX: prefix }, { database });
  redis = new Redis(redisUrl);
}, 60_000);
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await database?.drop();
  if (redis) {
    // This file's keys only (its own prefix): never a FLUSHDB on the shared Redis.
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
});

const sameTenant = async (tenantId: string, userId = crypto.randomUUID()): Promise<[Caller, Caller]> => [
  await a.caller({ tenantId, userId }),
  await b.caller({ tenantId, userId }),
];

/** Reads until one read is a hit on `service` (the relay's own signal for earlier changes may still land first). */
const settled = (service: TestService, caller: Caller) =>
  eventually(async () => {
    const before = await lookups(service, "hit");
    await summaryOf(caller);
    return (await lookups(service, "hit")) > before;
  }, Boolean);

describe.skipIf(!redisUrl && !process.env.CI)("pipelineSummary cache in Redis, two instances", () => {
  it("read-your-writes: after each of 1,000 changes, a summary read on the other instance matches a direct count", async () => {
    // Four tenants side by side, 250 changes each: concurrent traffic, each tenant's changes in order.
    const hitsBefore = (await lookups(a, "hit")) + (await lookups(b, "hit"));
    const lanes = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const tenantId = crypto.randomUUID();
        const owner = crypto.randomUUID();
        const [onA, onB] = await sameTenant(tenantId);
        const changes = new ChangeMaker(owner);
        const seen = new Set<string>();
        await withClient(database.adminUrl, async (admin) => {
          for (let i = 0; i < 250; i++) {
            const [writer, reader] = i % 2 ? [onA, onB] : [onB, onA];
            const kind = await changes.change(writer);
            seen.add(kind);
            const ownerId = i % 3 === 0 ? owner : null;
            const expected = await countedInSql(admin, tenantId, ownerId);
            // The first read after the change computes; the second may be answered from the cache: both must be current.
            expect(await summaryOf(reader, ownerId), `after ${kind} (change ${i})`).toEqual(expected);
            expect(await summaryOf(reader, ownerId), `again after ${kind} (change ${i})`).toEqual(expected);
          }
        });
        return seen;
      }),
    );
    for (const seen of lanes) expect([...seen].sort()).toEqual(["assign", "capture", "contact", "convert", "delete", "import", "lose", "merge", "qualify", "reopen", "tag"]);
    // The cache was in play: many of the second reads were hits (the relay's later signal turns some into misses).
    expect((await lookups(a, "hit")) + (await lookups(b, "hit")) - hitsBefore).toBeGreaterThan(100);
  }, 300_000);

  it("another tenant's writes do not invalidate this tenant's answers (all hits) and never show in them", async () => {
    const user = crypto.randomUUID(); // the same user and owner id in both tenants: the same arguments, other keys
    const [mineOnA] = await sameTenant(crypto.randomUUID(), user);
    const [, theirsOnB] = await sameTenant(crypto.randomUUID(), user);
    const mine = new ChangeMaker(user);
    for (let i = 0; i < 6; i++) await mine.change(mineOnA);
    await settled(a, mineOnA);
    await summaryOf(mineOnA, user);

    const theirs = new ChangeMaker(user);
    const [hits, misses] = [await lookups(a, "hit"), await lookups(a, "miss")];
    for (let i = 0; i < 30; i++) {
      await theirs.change(theirsOnB);
      expect(await summaryOf(mineOnA)).toEqual(await countedInSql(database.adminUrl, mineOnA.tenantId));
      expect(await summaryOf(mineOnA, user)).toEqual(await countedInSql(database.adminUrl, mineOnA.tenantId, user));
    }
    expect(await lookups(a, "miss")).toBe(misses);
    expect(await lookups(a, "hit")).toBe(hits + 60);
    // And theirs are theirs, read through the instance that cached mine.
    const [theirsOnA] = [await a.caller({ tenantId: theirsOnB.tenantId, userId: user })];
    expect(await summaryOf(theirsOnA, user)).toEqual(await countedInSql(database.adminUrl, theirsOnB.tenantId, user));
    expect((await summaryOf(theirsOnA)).totalLeads).toBeGreaterThan(0);
  }, 120_000);

  it("a lost generation key (evicted) is replaced by a fresh generation, never by an earlier one", async () => {
    const [onA, onB] = await sameTenant(crypto.randomUUID());
    dataOf(await onA.gql(CAPTURE, { input: aCapture() }));
    await settled(b, onB);
    const generationKey = `${prefix}gen:${onA.tenantId}`;
    const before = await redis.get(generationKey);
    expect(before).toMatch(/^[0-9a-f]{16}$/);
    await redis.del(generationKey); // as maxmemory eviction would
    const misses = await lookups(b, "miss");
    expect(await summaryOf(onB)).toEqual(await countedInSql(database.adminUrl, onA.tenantId));
    expect(await lookups(b, "miss")).toBe(misses + 1);
    const after = await redis.get(generationKey);
    expect(after).toMatch(/^[0-9a-f]{16}$/);
    expect(after).not.toBe(before);
    // Answers are stored with a TTL; generations too: nothing grows without bound.
    const answerKeys = await redis.keys(`${prefix}summary:${onA.tenantId}:*`);
    expect(answerKeys.length).toBeGreaterThan(0);
    for (const key of [...answerKeys, generationKey]) expect(await redis.ttl(key)).toBeGreaterThan(0);
  });

  it("an Idempotency-Key mutation's reads are not cached (they see the request's uncommitted writes)", async () => {
    const [onA] = await sameTenant(crypto.randomUUID());
    const bypasses = await lookups(a, "bypass");
    const response = await a.post(
      { query: `mutation($input: CaptureLeadInput!) { captureLead(input: $input) { id } }`, variables: { input: aCapture() } },
      { authorization: `Bearer ${onA.token}`, "idempotency-key": crypto.randomUUID() },
    );
    expect(response.errors).toBeUndefined();
    expect(await summaryOf(onA)).toEqual(await countedInSql(database.adminUrl, onA.tenantId));
    expect(await lookups(a, "bypass")).toBe(bypasses);
  });
});

describe.skipIf(!redisUrl && !process.env.CI)("pipelineSummary cache TTL", () => {
  it("an answer expires after CACHE_TTL_SECONDS: a change no service signalled (direct SQL) shows once it has", async () => {
    const service = await startTestService({ REDIS_URL: redisUrl!, CACHE_KEY_PREFIX: prefix, CACHE_TTL_SECONDS: "1" }, { database });
    try {
      const caller = await service.caller();
      for (let i = 0; i < 3; i++) dataOf(await caller.gql(CAPTURE, { input: aCapture() }));
      await settled(service, caller);
      const [key] = await redis.keys(`${prefix}summary:${caller.tenantId}:*`);
      const pttl = await redis.pttl(key);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(1000);

      // Behind the service's back: no generation moves, only the TTL ends the old answer.
      await withClient(database.adminUrl, (client) => client.query(`DELETE FROM lead WHERE tenant_id = $1 AND id = (SELECT id FROM lead WHERE tenant_id = $1 LIMIT 1)`, [caller.tenantId]));
      const misses = await lookups(service, "miss");
      const expected = await countedInSql(database.adminUrl, caller.tenantId);
      expect(expected.totalLeads).toBe(2);
      await eventually(() => summaryOf(caller), (summary) => summary.totalLeads === 2, 15_000);
      expect(await summaryOf(caller)).toEqual(expected);
      expect(await lookups(service, "miss")).toBeGreaterThan(misses);
    } finally {
      await service.stop();
    }
  }, 60_000);
});

describe.skipIf(!redisServerBinary && !process.env.CI)("pipelineSummary cache, Redis down", () => {
  it("reads go to PostgreSQL (counted as bypass), writes go on, and the cache is used again once Redis is back", async () => {
    const server = await ChildRedis.start();
    const service = await startTestService({ REDIS_URL: server.url, CACHE_KEY_PREFIX: prefix });
    try {
      const caller = await service.caller();
      for (let i = 0; i < 3; i++) dataOf(await caller.gql(CAPTURE, { input: aCapture() }));
      await settled(service, caller);
      const expectedNow = () => countedInSql(service.database.adminUrl, caller.tenantId);

      await server.halt();
      const [hits, misses, bypasses] = [await lookups(service, "hit"), await lookups(service, "miss"), await lookups(service, "bypass")];
      expect(await summaryOf(caller)).toEqual(await expectedNow());
      for (let i = 0; i < 5; i++) {
        dataOf(await caller.gql(CAPTURE, { input: aCapture() })); // writes succeed without Redis
        expect(await summaryOf(caller)).toEqual(await expectedNow());
      }
      expect((await expectedNow()).totalLeads).toBe(8);
      expect(await lookups(service, "bypass")).toBe(bypasses + 6);
      expect(await lookups(service, "hit")).toBe(hits);
      expect(await lookups(service, "miss")).toBe(misses);

      await server.resume(); // empty: no persistence
      await settled(service, caller);
      expect(await summaryOf(caller)).toEqual(await expectedNow());
      dataOf(await caller.gql(CAPTURE, { input: aCapture() }));
      expect(await summaryOf(caller)).toEqual(await expectedNow());
    } finally {
      await service.stop();
      await server.halt();
    }
  }, 90_000);
});
