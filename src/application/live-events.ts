import type { LeadEventName } from "../domain/lead/events";
import type { LiveEventStream } from "./live-event-stream";

/**
 * A domain event as it travels to live subscribers (through Redis pub/sub or
 * the in-process bus): JSON only, so timestamps are ISO strings.
 */
export interface PublishedLeadEvent {
  eventId: string;
  name: LeadEventName;
  tenantId: string;
  leadId: string;
  version: number;
  occurredAt: string;
  actorId: string | null;
  payload: Record<string, unknown>;
  /** The lead as of this event (LeadView as JSON), null once deleted. */
  lead: Record<string, unknown> | null;
}

/** One topic per tenant: a subscriber is only ever attached to its own tenant's events. */
export function tenantTopic(tenantId: string): string {
  return `lead-events:${tenantId}`;
}

/** Live events by topic (the shape type-graphql's PubSub expects). */
export interface LiveEventBus {
  publish(topic: string, event: PublishedLeadEvent): Promise<void>;
  /**
   * Listens to a topic until the stream is returned; returning it detaches the
   * listener at once (and, on Redis, unsubscribes the channel when it was the last one).
   */
  subscribe(topic: string): LiveEventStream<PublishedLeadEvent>;
  /**
   * The same, resolved once the subscription is attached (with Redis: SUBSCRIBE
   * acknowledged): every event published afterwards is delivered, buffered until
   * read. A resumed subscription needs that point before it replays.
   */
  subscribeNow(topic: string): Promise<LiveEventStream<PublishedLeadEvent>>;
  close(): Promise<void>;
}
