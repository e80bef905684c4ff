import type { PublishedLeadEvent } from "../../application/live-events";

export { publishedEventOf, type OutboxRecord } from "../../application/queries/outbox-event-row";

/** A published event's entry in its stream (events:<EventName>). */
export interface StreamEntry {
  eventType: string;
  streamId: string;
}

/** Where the relay hands committed events: Redis (streams + pub/sub) or the in-process bus. */
export interface EventPublisher {
  /**
   * Publishes in the given order; throws if any could not be published (the
   * batch is retried). Answers each event's stream entry id, null where there
   * are no streams. `traceparents[i]`, when given, travels with event i (a
   * stream entry's `traceparent` field) so its consumers continue the trace.
   */
  publish(events: PublishedLeadEvent[], traceparents?: readonly (string | null)[]): Promise<(string | null)[]>;
  /** Removes stream entries (XDEL): an erased lead's personal data leaves the streams. Answers how many were there. */
  removeStreamEntries(entries: StreamEntry[]): Promise<number>;
}
