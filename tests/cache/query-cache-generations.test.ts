import Redis from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { QueryCache, TenantChangeSignal } from "../../src/application/queries/query-cache";
import type { LookupResult } from "../../src/infrastructure/cache/cache-keys";
import { InProcessQueryCache } from "../../src/infrastructure/cache/in-process-query-cache";
import { RedisQueryCache } from "../../src/infrastructure/cache/redis-query-cache";
import { SignalledEvents } from "../../src/infrastructure/cache/signalled-events";
import { createLogger } from "../../src/infrastructure/logger";
import { uniquePrefix } from "./cache-checks";

const redisUrl = inject("redisUrl");
const prefix = uniquePrefix();
const connections: Redis[] = [];
afterAll(async () => {
  const [redis] = connections;
  if (redis) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  }
  for (const connection of connections) connection.disconnect();
});

type Cache = QueryCache & TenantChangeSignal;
interface Made {
  cache: Cache;
  results: LookupResult[];
}

const makers: [string, boolean, () => Made][] = [
  [
    "in process",
    true,
    () => {
      const results: LookupResult[] = [];
      return { cache: new InProcessQueryCache({ ttlSeconds: 60, maxEntries: 100, onLookup: (_q, r) => results.push(r) }), results };
    },
  ],
  [
    "in Redis",
    Boolean(redisUrl) || Boolean(process.env.CI),
    () => {
      const results: LookupResult[] = [];
      const redis = new Redis(redisUrl!, { enableOfflineQueue: true });
      connections.push(redis);
      const cache = new RedisQueryCache(redis as never, { keyPrefix: prefix, ttlSeconds: 60, onLookup: (_q, r) => results.push(r), onInvalidationFailed: () => {}, logger: createLogger("silent") });
      return { cache, results };
    },
  ],
];

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe.each(makers)("the generation rule, %s", (_name, runs, make) => {
  const ready = async (made: Made) => {
    // ioredis connects in the background: the first commands wait for it (offline queue on here).
    if ("redis" in (made.cache as object)) await (made.cache as unknown as { redis: Redis }).redis.ping();
    return made;
  };

  it.skipIf(!runs)("a slow reader that computed before a change cannot store its answer where readers after the change look", async () => {
    const { cache, results } = await ready(make());
    const tenant = crypto.randomUUID();
    const slow = deferred<string>();
    const computing = deferred<void>();
    const slowRead = cache.through("pipelineSummary", tenant, "all", () => {
      computing.resolve();
      return slow.promise;
    });
    await computing.promise; // the slow reader has read its generation and is computing
    await cache.tenantChanged(tenant); // a change commits and is acknowledged
    slow.resolve("before the change");
    expect(await slowRead).toBe("before the change");
    // A read that starts after the change: computes anew, never finds the slow reader's answer.
    expect(await cache.through("pipelineSummary", tenant, "all", async () => "after the change")).toBe("after the change");
    expect(await cache.through("pipelineSummary", tenant, "all", async () => "not asked")).toBe("after the change");
    expect(results).toEqual(["miss", "miss", "hit"]);
  });

  it.skipIf(!runs)("concurrent misses of one key share one computation; a change starts a new one", async () => {
    const { cache, results } = await ready(make());
    const tenant = crypto.randomUUID();
    let computations = 0;
    const slow = deferred<string>();
    const computing = deferred<void>();
    const first = cache.through("pipelineSummary", tenant, "all", () => {
      computations++;
      computing.resolve();
      return slow.promise;
    });
    await computing.promise;
    const second = cache.through("pipelineSummary", tenant, "all", async () => `computed again (${++computations})`);
    slow.resolve("once");
    expect(await Promise.all([first, second])).toEqual(["once", "once"]);
    expect(computations).toBe(1);
    await cache.tenantChanged(tenant);
    expect(await cache.through("pipelineSummary", tenant, "all", async () => "after the change")).toBe("after the change");
    expect(results).toEqual(["miss", "hit", "miss"]);
  });

  it.skipIf(!runs)("answers are per tenant and per arguments; a change of one tenant leaves the others' answers", async () => {
    const { cache, results } = await ready(make());
    const [mine, theirs] = [crypto.randomUUID(), crypto.randomUUID()];
    expect(await cache.through("pipelineSummary", mine, "all", async () => "mine")).toBe("mine");
    expect(await cache.through("pipelineSummary", mine, "owner-1", async () => "mine, owner 1")).toBe("mine, owner 1");
    expect(await cache.through("pipelineSummary", theirs, "all", async () => "theirs")).toBe("theirs");
    await cache.tenantChanged(theirs);
    expect(await cache.through("pipelineSummary", mine, "all", async () => "not asked")).toBe("mine");
    expect(await cache.through("pipelineSummary", mine, "owner-1", async () => "not asked")).toBe("mine, owner 1");
    expect(await cache.through("pipelineSummary", theirs, "all", async () => "theirs, changed")).toBe("theirs, changed");
    expect(results).toEqual(["miss", "miss", "miss", "hit", "hit", "miss"]);
  });
});

describe("the in-process cache's bounds", () => {
  it("holds at most CACHE_MAX_ENTRIES entries, least recently used out first; a lost generation is a fresh one", async () => {
    const results: LookupResult[] = [];
    const cache = new InProcessQueryCache({ ttlSeconds: 60, maxEntries: 10, onLookup: (_q, r) => results.push(r) });
    const tenants = Array.from({ length: 20 }, () => crypto.randomUUID());
    for (const tenant of tenants) await cache.through("pipelineSummary", tenant, "all", async () => tenant);
    expect(cache.size).toBe(10);
    // The first tenants' generations and answers are gone: computed again, right.
    expect(await cache.through("pipelineSummary", tenants[0], "all", async () => "again")).toBe("again");
    // The last tenant's answer is still there.
    expect(await cache.through("pipelineSummary", tenants[19], "all", async () => "not asked")).toBe(tenants[19]);
    expect(results.slice(-2)).toEqual(["miss", "hit"]);
  });

  it("an answer expires after its TTL", async () => {
    let now = 1_000_000;
    const results: LookupResult[] = [];
    const cache = new InProcessQueryCache({ ttlSeconds: 5, maxEntries: 100, onLookup: (_q, r) => results.push(r), now: () => now });
    const tenant = crypto.randomUUID();
    await cache.through("pipelineSummary", tenant, "all", async () => "first");
    now += 4_999;
    expect(await cache.through("pipelineSummary", tenant, "all", async () => "not asked")).toBe("first");
    now += 1;
    expect(await cache.through("pipelineSummary", tenant, "all", async () => "second")).toBe("second");
    expect(results).toEqual(["miss", "hit", "miss"]);
  });
});

describe("events signalled at commit", () => {
  it("the relay signals only tenants with events this process did not signal; the set stays bounded", async () => {
    const signalled = new SignalledEvents(3);
    signalled.add(["e1", "e2"]);
    expect(signalled.tenantsStillToSignal([{ tenantId: "t1", eventId: "e1" }, { tenantId: "t2", eventId: "x" }])).toEqual(["t2"]);
    // Each id counts once: published again (at least once), it is signalled again.
    expect(signalled.tenantsStillToSignal([{ tenantId: "t1", eventId: "e1" }])).toEqual(["t1"]);
    signalled.add(["e3", "e4", "e5", "e6"]); // e2 and e3 fall out (capacity 3)
    expect(signalled.tenantsStillToSignal(["e2", "e3", "e4", "e5", "e6"].map((eventId) => ({ tenantId: `t-${eventId}`, eventId })))).toEqual(["t-e2", "t-e3"]);
  });
});
