import { SpanKind, type Tracer } from "@opentelemetry/api";
import type { RedisClient } from "../redis/redis-connection";
import { inSpan } from "../tracing/spans";
import { tenantTopic, type PublishedLeadEvent } from "../../application/live-events";
import type { EventPublisher, StreamEntry } from "./outbox-record";

/** The stream of one event type: what other BizOSaaS services consume. */
export function streamOf(eventName: string): string {
  return `events:${eventName}`;
}

/**
 * Publishes a batch to Redis Streams (XADD events:<EventName>, capped with an
 * approximate MAXLEN) and to the tenant's pub/sub topic for live subscribers,
 * in one pipeline so the order of the batch is the order on the wire.
 */
export class RedisEventPublisher implements EventPublisher {
  constructor(
    private readonly redis: RedisClient,
    private readonly streamMaxLen: number,
    private readonly tracer?: Tracer,
  ) {}

  async publish(events: PublishedLeadEvent[], traceparents: readonly (string | null)[] = []): Promise<(string | null)[]> {
    // A cluster spreads the streams over hash slots, and one pipeline may only
    // touch one slot: there, send each event's commands in turn (order kept).
    if (this.redis.isCluster) {
      const ids: (string | null)[] = [];
      for (const [index, event] of events.entries()) ids.push(...(await this.send([event], [traceparents[index] ?? null])));
      return ids;
    }
    return this.send(events, traceparents);
  }

  async removeStreamEntries(entries: StreamEntry[]): Promise<number> {
    const idsByStream = new Map<string, string[]>();
    for (const entry of entries) {
      const stream = streamOf(entry.eventType);
      idsByStream.set(stream, [...(idsByStream.get(stream) ?? []), entry.streamId]);
    }
    let removed = 0;
    // One XDEL per stream: each touches one key, so this works on a cluster too.
    for (const [stream, ids] of idsByStream) removed += await this.redis.xdel(stream, ...ids);
    return removed;
  }

  /** Sends the batch in one pipeline (one span when traced); answers each event's stream entry id. */
  private send(events: PublishedLeadEvent[], traceparents: readonly (string | null)[]): Promise<(string | null)[]> {
    return inSpan(
      this.tracer,
      "XADD PUBLISH",
      { kind: SpanKind.CLIENT, attributes: { "db.system.name": "redis", "db.operation.name": "PIPELINE", "db.operation.batch.size": events.length * 2 } },
      () => this.sendPipeline(events, traceparents),
    );
  }

  private async sendPipeline(events: PublishedLeadEvent[], traceparents: readonly (string | null)[]): Promise<(string | null)[]> {
    const pipeline = this.redis.pipeline();
    for (const [index, event] of events.entries()) {
      const traceparent = traceparents[index];
      pipeline.xadd(
        streamOf(event.name),
        "MAXLEN",
        "~",
        this.streamMaxLen,
        "*",
        "event_type",
        event.name,
        "event_id",
        event.eventId,
        "tenant_id",
        event.tenantId,
        "aggregate_id",
        event.leadId,
        "version",
        String(event.version),
        "occurred_at",
        event.occurredAt,
        "data",
        JSON.stringify(event.payload),
        // Consumers continue the trace of the request that caused the event (W3C Trace Context).
        ...(traceparent ? ["traceparent", traceparent] : []),
      );
      pipeline.publish(tenantTopic(event.tenantId), JSON.stringify(event));
    }
    const results = (await pipeline.exec()) ?? [];
    const failure = results.find(([error]) => error);
    if (failure) throw failure[0];
    // XADD and PUBLISH alternate: the XADD answers are the entry ids.
    return events.map((_, index) => (results[index * 2]?.[1] as string | undefined) ?? null);
  }
}
