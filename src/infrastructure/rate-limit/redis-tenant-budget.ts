import type { RedisClient } from "../redis/redis-connection";
import type { BucketSettings, BudgetDecision, TenantBudget } from "./tenant-budget";

/**
 * One atomic step of a tenant's token bucket, on Redis's clock (so every
 * instance sees the same time): refill by the time elapsed, then take `cost`
 * tokens or say how long until there are enough. A request costing more than
 * the burst is charged the whole burst (it could never pass otherwise).
 * Returns {allowed (0/1), milliseconds to wait}.
 */
const TAKE_TOKENS = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = math.min(tonumber(ARGV[3]), burst)
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  at = now
end
local allowed = 0
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, wait}
`;

type WithTakeTokens = RedisClient & {
  crmTakeTokens(key: string, rate: number, burst: number, cost: number): Promise<[number, number]>;
};

/**
 * Each tenant's budget across all instances: a token bucket in Redis, one Lua
 * script per request. When Redis does not answer, the request goes through
 * (`onUnavailable` counts and logs it): the limiter never blocks the API.
 */
export class RedisTenantBudget implements TenantBudget {
  private readonly redis: WithTakeTokens;

  constructor(
    redis: RedisClient,
    private readonly settings: BucketSettings,
    private readonly onUnavailable: (error: unknown) => void,
  ) {
    redis.defineCommand("crmTakeTokens", { numberOfKeys: 1, lua: TAKE_TOKENS });
    this.redis = redis as WithTakeTokens;
  }

  async take(tenantId: string, cost: number): Promise<BudgetDecision> {
    try {
      const [allowed, waitMs] = await this.redis.crmTakeTokens(`crm:rate:{${tenantId}}`, this.settings.ratePerSecond, this.settings.burst, cost);
      return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs: Math.max(1, waitMs) };
    } catch (error) {
      this.onUnavailable(error);
      return { allowed: true };
    }
  }

  async close(): Promise<void> {}
}
