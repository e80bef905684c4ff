import { randomUUID } from "node:crypto";
import type { RedisClient } from "../redis/redis-connection";

/** An open subscription's place in its tenant's cap; released once, when it ends. */
export interface SubscriptionSlot {
  release(): void;
}

/** At most `cap` open subscriptions per tenant: a slot, or null when the tenant has them all. */
export interface SubscriptionSlots {
  acquire(tenantId: string): Promise<SubscriptionSlot | null>;
  close(): Promise<void>;
}

/** One instance's count, for a service without Redis. */
export class InProcessSubscriptionSlots implements SubscriptionSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly cap: number) {}

  async acquire(tenantId: string): Promise<SubscriptionSlot | null> {
    const count = this.open.get(tenantId) ?? 0;
    if (count >= this.cap) return null;
    this.open.set(tenantId, count + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (this.open.get(tenantId) ?? 1) - 1;
        if (left > 0) this.open.set(tenantId, left);
        else this.open.delete(tenantId);
      },
    };
  }

  async close(): Promise<void> {
    this.open.clear();
  }
}

// A slot is a lease: an instance that dies without releasing its slots loses them when the lease runs out.
const LEASE_MS = 60_000;
const RENEW_EVERY_MS = 20_000;

/**
 * Expired leases out, then a slot if the tenant has fewer than the cap.
 * KEYS[1] the tenant's sorted set (member -> lease end, Redis clock);
 * ARGV: cap, lease ms, member. Returns 1 (taken) or 0 (full).
 */
const ACQUIRE = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return 1
`;

/** Extends the leases of this instance's slots that still exist. ARGV: lease ms, members... */
const RENEW = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 0
`;

type WithScripts = RedisClient & {
  crmAcquireSlot(key: string, cap: number, leaseMs: number, member: string): Promise<number>;
  crmRenewSlots(key: string, leaseMs: number, ...members: string[]): Promise<number>;
};

/**
 * The cap across all instances: each open subscription is a member of its
 * tenant's sorted set in Redis, leased and renewed while it lives. When Redis
 * does not answer the subscription is let through (`onUnavailable`).
 */
export class RedisSubscriptionSlots implements SubscriptionSlots {
  private readonly redis: WithScripts;
  private readonly instance = randomUUID();
  private sequence = 0;
  /** This instance's slots in Redis, by tenant key. */
  private readonly held = new Map<string, Set<string>>();
  private readonly renewal: NodeJS.Timeout;

  constructor(
    redis: RedisClient,
    private readonly cap: number,
    private readonly onUnavailable: (error: unknown) => void,
  ) {
    redis.defineCommand("crmAcquireSlot", { numberOfKeys: 1, lua: ACQUIRE });
    redis.defineCommand("crmRenewSlots", { numberOfKeys: 1, lua: RENEW });
    this.redis = redis as WithScripts;
    this.renewal = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    this.renewal.unref();
  }

  async acquire(tenantId: string): Promise<SubscriptionSlot | null> {
    const key = `crm:subscriptions:{${tenantId}}`;
    const member = `${this.instance}:${++this.sequence}`;
    try {
      if ((await this.redis.crmAcquireSlot(key, this.cap, LEASE_MS, member)) !== 1) return null;
    } catch (error) {
      this.onUnavailable(error);
      return { release: () => {} };
    }
    const members = this.held.get(key) ?? new Set<string>();
    members.add(member);
    this.held.set(key, members);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        members.delete(member);
        if (members.size === 0) this.held.delete(key);
        // Best effort: a slot Redis does not hear about ends with its lease.
        this.redis.zrem(key, member).catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    clearInterval(this.renewal);
  }

  private async renew(): Promise<void> {
    for (const [key, members] of this.held) {
      if (members.size === 0) continue;
      await this.redis.crmRenewSlots(key, LEASE_MS, ...members).catch(() => {});
    }
  }
}
