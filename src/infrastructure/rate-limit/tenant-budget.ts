/** The answer of a per-tenant budget: go on, or wait this long before trying again. */
export type BudgetDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Each tenant's request budget (a token bucket): `cost` tokens per request. */
export interface TenantBudget {
  take(tenantId: string, cost: number): Promise<BudgetDecision>;
  close(): Promise<void>;
}

export interface BucketSettings {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** The bucket's size: how many tokens a quiet tenant may spend at once. */
  burst: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * The token bucket in this process, for a service without Redis (one
 * instance). The same arithmetic as the Redis script. A full bucket is the
 * same as none, so buckets that have refilled are forgotten.
 */
export class InProcessTenantBudget implements TenantBudget {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly settings: BucketSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async take(tenantId: string, cost: number): Promise<BudgetDecision> {
    const { ratePerSecond, burst } = this.settings;
    const now = this.now();
    const bucket = this.buckets.get(tenantId) ?? { tokens: burst, atMs: now };
    if (now > bucket.atMs) bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.atMs) * ratePerSecond) / 1000);
    bucket.atMs = Math.max(now, bucket.atMs);
    const needed = Math.min(cost, burst);
    let decision: BudgetDecision;
    if (bucket.tokens >= needed) {
      bucket.tokens -= needed;
      decision = { allowed: true };
    } else {
      decision = { allowed: false, retryAfterMs: Math.ceil(((needed - bucket.tokens) * 1000) / ratePerSecond) };
    }
    this.buckets.set(tenantId, bucket);
    if (this.buckets.size > 10_000) this.forgetRefilled(now);
    return decision;
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }

  private forgetRefilled(now: number): void {
    const refillMs = (this.settings.burst * 1000) / this.settings.ratePerSecond;
    for (const [tenantId, bucket] of this.buckets) if (now - bucket.atMs >= refillMs) this.buckets.delete(tenantId);
  }
}
