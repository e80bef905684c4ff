import type { ReadDb, TenantReads } from "./tenant-reads";

/**
 * One connection for a whole query request: every DataLoader batch of the
 * request reuses it instead of checking one out per batch (each statement
 * still carries its own tenant setting, see pooledReads). Taken on first use,
 * returned by `close()`. Only for read-only operations: a request holding
 * this connection never waits for a second one, so the pool cannot starve itself.
 */
export class RequestReadSession implements TenantReads {
  private session: Promise<ReadDb> | null = null;
  private finished: Promise<unknown> | null = null;
  private release: () => void = () => {};
  /** One connection runs one statement at a time: batches take turns. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly base: TenantReads,
    private readonly tenantId: string,
  ) {}

  async inTenant<T>(tenantId: string, work: (db: ReadDb) => Promise<T>): Promise<T> {
    if (tenantId !== this.tenantId) return this.base.inTenant(tenantId, work);
    this.session ??= this.open();
    const session = this.session;
    const result = this.turn.then(async () => work(await session));
    this.turn = result.catch(() => {});
    return result;
  }

  /** Returns the connection to the pool; resolves when done. */
  async close(): Promise<void> {
    this.release();
    await this.finished?.catch(() => {});
  }

  private open(): Promise<ReadDb> {
    return new Promise<ReadDb>((resolveSession, rejectSession) => {
      this.finished = this.base
        .inTenant(this.tenantId, (db) => {
          resolveSession(db);
          return new Promise<void>((resolve) => (this.release = resolve));
        })
        .catch(rejectSession);
    });
  }
}
