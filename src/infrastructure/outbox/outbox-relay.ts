import type { PrismaClient } from "../prisma/generated/client";
import type { Logger } from "../logger";
import { publishedEventOf, type EventPublisher, type OutboxRecord } from "./outbox-record";

export interface OutboxRelayOptions {
  batchSize?: number;
  /** How long to wait for new events when the outbox is empty. */
  idleMs?: number;
  /** How long to back off after a failed publish (Redis down). */
  retryMs?: number;
  onPublished?: (count: number) => void;
}

/**
 * Publishes committed outbox rows, at least once and in order per lead. Rows
 * are claimed through the crm_claim_outbox SECURITY DEFINER function (the
 * relay is a system process that works across tenants; the runtime role stays
 * fenced by RLS), published, then marked in the same transaction: a crash
 * between publish and mark publishes again, never loses. Several relays can
 * run: a lead whose rows another relay holds is skipped, so order holds.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly retryMs: number;
  private readonly onPublished: (count: number) => void;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.idleMs = options.idleMs ?? 250;
    this.retryMs = options.retryMs ?? 500;
    this.onPublished = options.onPublished ?? (() => {});
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** A command just committed events: look now rather than at the next poll. */
  poke(): void {
    this.wake?.();
  }

  /** Finishes the batch in hand, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loop;
  }

  /** Publishes one batch; returns how many events went out. */
  async relayOnce(): Promise<number> {
    const published = await this.prisma.$transaction(
      async (tx) => {
        const records = await tx.$queryRaw<OutboxRecord[]>`SELECT * FROM crm_claim_outbox(${this.batchSize}::int)`;
        if (records.length === 0) return 0;
        await this.publisher.publish(records.map(publishedEventOf));
        await tx.$executeRaw`SELECT crm_mark_outbox_published(${records.map((r) => r.id)}::uuid[], ${records.map((r) => r.tenant_id)}::uuid[])`;
        return records.length;
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
    if (published > 0) this.onPublished(published);
    return published;
  }

  /** Events waiting and the age of the oldest, for metrics and alerts. */
  async backlog(): Promise<{ unpublished: number; oldestAgeSeconds: number }> {
    const [row] = await this.prisma.$queryRaw<{ unpublished: bigint; oldest_age_seconds: number }[]>`SELECT * FROM crm_outbox_backlog()`;
    return { unpublished: Number(row?.unpublished ?? 0), oldestAgeSeconds: Number(row?.oldest_age_seconds ?? 0) };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      let failed = false;
      try {
        published = await this.relayOnce();
      } catch (error) {
        failed = true;
        this.logger.warn({ err: error }, "outbox relay: publish failed; retrying");
      }
      if (published === this.batchSize) continue; // backlog: keep going
      await this.pause(failed ? this.retryMs : this.idleMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
