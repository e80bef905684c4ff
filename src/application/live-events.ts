import type { LeadEventName } from "../domain/lead/events";

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
  subscribe(topic: string): AsyncIterable<PublishedLeadEvent>;
  /**
   * Resolves once the subscription is attached (with Redis: SUBSCRIBE
   * acknowledged): every event published afterwards is delivered, buffered
   * until read. A resumed subscription needs that point before it replays.
   */
  subscribeNow(topic: string): Promise<AsyncIterableIterator<PublishedLeadEvent>>;
  close(): Promise<void>;
}
