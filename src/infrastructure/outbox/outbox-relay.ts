import { context, SpanKind, trace, type Link, type Span, type Tracer } from "@opentelemetry/api";
import type { PrismaClient } from "../prisma/generated/client";
import { contextFromTraceparent, inSpan, markFailed, traceparentOf } from "../tracing/spans";
import type { Logger } from "../logger";
import { publishedEventOf, type EventPublisher, type OutboxRecord, type StreamEntry } from "./outbox-record";

export interface OutboxRelayOptions {
  batchSize?: number;
  /** How long to wait for new events when the outbox is empty. */
  idleMs?: number;
  /** How long to back off after a failed publish (Redis down). */
  retryMs?: number;
  onPublished?: (count: number) => void;
  /** An erased lead's stream entries were removed: how many leads, how many entries. */
  onStreamsErased?: (leads: number, entries: number) => void;
  /**
   * The events just published (tenant, event id), awaited after the batch is
   * marked: changes written by another instance or another process reach the
   * query cache here too.
   */
  onEventsPublished?: (events: { tenantId: string; eventId: string }[]) => Promise<void>;
  /** With tracing on: a span per published batch and per event (docs/operations.md, "Tracing"). */
  tracer?: Tracer;
}

type Transaction = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
type Published = { count: number; erasedLeads: number; erasedEntries: number; events: { tenantId: string; eventId: string }[] };

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
  private readonly onStreamsErased: (leads: number, entries: number) => void;
  private readonly onEventsPublished: (events: { tenantId: string; eventId: string }[]) => Promise<void>;
  private readonly tracer: Tracer | undefined;

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
    this.onStreamsErased = options.onStreamsErased ?? (() => {});
    this.onEventsPublished = options.onEventsPublished ?? (async () => {});
    this.tracer = options.tracer;
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
        return this.tracer ? this.publishTraced(this.tracer, tx, records) : this.publishAndMark(tx, records, records.map((r) => r.traceparent ?? null));
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
    if (published === 0) return 0;
    await this.onEventsPublished(published.events);
    this.onPublished(published.count);
    if (published.erasedLeads > 0) this.onStreamsErased(published.erasedLeads, published.erasedEntries);
    return published.count;
  }

  /** Publishes the claimed rows and marks them published (with their stream ids) in the claiming transaction. */
  private async publishAndMark(tx: Transaction, records: OutboxRecord[], traceparents: (string | null)[]): Promise<Published> {
    const streamIds = await this.publisher.publish(records.map(publishedEventOf), traceparents);
    const toErase = await tx.$queryRaw<{ event_type: string; stream_id: string }[]>`
      SELECT * FROM crm_mark_outbox_published_to_streams(${records.map((r) => r.id)}::uuid[],
        ${records.map((r) => r.tenant_id)}::uuid[], ${streamIds}::text[])`;
    // Erasure reaches the streams once LeadDeleted is out (deleteLead or a
    // merge's duplicate): removed before the mark commits, so a failure
    // retries the batch (at least once) rather than leaving data behind.
    const erasedLeads = records.filter((r) => r.event_type === "LeadDeleted").length;
    const entries: StreamEntry[] = toErase.map((row) => ({ eventType: row.event_type, streamId: row.stream_id }));
    const erasedEntries = entries.length ? await this.publisher.removeStreamEntries(entries) : 0;
    return { count: records.length, erasedLeads, erasedEntries, events: records.map((r) => ({ tenantId: r.tenant_id, eventId: r.id })) };
  }

  /**
   * The batch as a span of its own (a new trace: the relay serves many
   * requests at once) linked to the request of each event, and one span per
   * event in the trace of the request that wrote it, whose `traceparent` the
   * stream entry carries: a consumer continues that request's trace.
   */
  private publishTraced(tracer: Tracer, tx: Transaction, records: OutboxRecord[]): Promise<Published> {
    const links: Link[] = [];
    for (const record of records) {
      const origin = trace.getSpanContext(contextFromTraceparent(record.traceparent));
      if (origin) links.push({ context: origin });
    }
    return inSpan(
      tracer,
      "outbox relay publish",
      { kind: SpanKind.PRODUCER, root: true, links, attributes: { "messaging.operation.type": "send", "messaging.batch.message_count": records.length } },
      async (batch) => {
        const batchLink: Link[] = batch ? [{ context: batch.spanContext() }] : [];
        const eventSpans: Span[] = records.map((record) =>
          tracer.startSpan(
            `publish ${record.event_type}`,
            {
              kind: SpanKind.PRODUCER,
              links: batchLink,
              attributes: { "messaging.operation.type": "create", "messaging.destination.name": `events:${record.event_type}`, "messaging.message.id": record.id },
            },
            // Rows written outside any trace get theirs from the batch.
            record.traceparent ? contextFromTraceparent(record.traceparent) : context.active(),
          ),
        );
        try {
          return await this.publishAndMark(tx, records, eventSpans.map((span) => traceparentOf(span.spanContext())));
        } catch (error) {
          for (const span of eventSpans) markFailed(span, error);
          throw error;
        } finally {
          for (const span of eventSpans) span.end();
        }
      },
    );
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
