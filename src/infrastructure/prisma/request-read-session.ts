import type { TenantDb, TenantScopedPrisma } from "./tenant-db";

/**
 * One read transaction for a whole query request: every DataLoader batch of
 * the request reuses it, so the tenant is set once and BEGIN/COMMIT are paid
 * once instead of per batch. Opened on first use, committed by `close()`.
 * Only for read-only operations: a request holding this connection never
 * waits for a second one, so the pool cannot starve itself.
 */
export class RequestReadSession implements TenantScopedPrisma {
  private session: Promise<TenantDb> | null = null;
  private finished: Promise<unknown> | null = null;
  private release: () => void = () => {};
  /** One connection runs one statement at a time: batches take turns. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly base: TenantScopedPrisma,
    private readonly tenantId: string,
  ) {}

  get client() {
    return this.base.client;
  }

  async inTenant<T>(tenantId: string, work: (db: TenantDb) => Promise<T>): Promise<T> {
    if (tenantId !== this.tenantId) return this.base.inTenant(tenantId, work);
    this.session ??= this.open();
    const session = this.session;
    const result = this.turn.then(async () => work(await session));
    this.turn = result.catch(() => {});
    return result;
  }

  async close(): Promise<void> {
    this.release();
    await this.finished?.catch(() => {});
  }

  private open(): Promise<TenantDb> {
    return new Promise<TenantDb>((resolveSession, rejectSession) => {
      this.finished = this.base
        .inTenant(this.tenantId, (db) => {
          resolveSession(db);
          return new Promise<void>((resolve) => (this.release = resolve));
        })
        .catch(rejectSession);
    });
  }
}
