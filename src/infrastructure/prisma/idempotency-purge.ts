import type { Pool } from "pg";
import type { Logger } from "../logger";

export interface IdempotencyPurgeOptions {
  intervalMs: number;
  /** Records removed per statement: a long backlog never holds locks or a connection for long. */
  batchSize?: number;
  onPurged?: (count: number) => void;
  logger: Logger;
}

// At most this many batches per tick; the rest waits for the next one.
const MAX_BATCHES_PER_TICK = 10;

/**
 * Removes expired idempotency records of every tenant, periodically and in
 * bounded batches, through the one SECURITY DEFINER function the runtime role
 * may call for it (its own queries stay fenced by row-level security).
 */
export class IdempotencyPurge {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly options: IdempotencyPurgeOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = null));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One batch; resolves with how many records went. */
  async purgeOnce(): Promise<number> {
    const batchSize = this.options.batchSize ?? 1000;
    const result = await this.pool.query<{ purged: number }>("SELECT crm_purge_expired_idempotency_records($1) AS purged", [batchSize]);
    const purged = result.rows[0]?.purged ?? 0;
    if (purged > 0) this.options.onPurged?.(purged);
    return purged;
  }

  private async tick(): Promise<void> {
    try {
      const batchSize = this.options.batchSize ?? 1000;
      for (let batch = 0; batch < MAX_BATCHES_PER_TICK; batch++) {
        if ((await this.purgeOnce()) < batchSize) return;
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, "purging expired idempotency records failed; retrying at the next interval");
    }
  }
}
