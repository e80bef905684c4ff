import { Field, ID, Int, ObjectType } from "type-graphql";
import type { LeadView } from "../../application/lead-view";
import type { PublishedLeadEvent } from "../../application/live-events";
import { JsonScalar } from "../scalars";
import { Lead } from "./lead";
import { LEAD_EVENT_TYPES, LeadEventTypeEnum } from "./enums";
import { PageInfo } from "./shared-types";

@ObjectType({ description: "A domain event of the lead pipeline, as delivered to live subscribers." })
export class LeadEvent {
  @Field(() => ID, { description: "Unique per event; consumers skip one they have seen (delivery is at least once)." }) eventId!: string;
  @Field(() => LeadEventTypeEnum, { description: "What happened." }) type!: string;
  @Field(() => ID, { description: "The lead it happened to." }) leadId!: string;
  @Field(() => Int, { description: "The lead's version right after this event." }) version!: number;
  @Field(() => Date, { description: "When it happened." }) occurredAt!: Date | string;
  @Field(() => ID, { nullable: true, description: "Who did it; null for the service itself (e.g. enrichment)." }) actorId!: string | null;
  @Field(() => JsonScalar, { description: "Event-specific data, e.g. {from, to} for LEAD_STATUS_CHANGED." })
  payload!: Record<string, unknown>;
  @Field(() => Lead, { nullable: true, description: "The lead as of this event; null for LEAD_DELETED." })
  lead!: LeadView | null;
}

/** An event as the API shows it, live, replayed or in a lead's history. */
export function leadEventOf(event: PublishedLeadEvent): LeadEvent {
  return {
    eventId: event.eventId,
    type: LEAD_EVENT_TYPES[event.name],
    leadId: event.leadId,
    version: event.version,
    occurredAt: event.occurredAt,
    actorId: event.actorId,
    payload: event.payload,
    lead: event.lead as unknown as LeadView | null,
  };
}

@ObjectType({ description: "An event in a page of a lead's history." })
export class LeadEventEdge {
  @Field(() => String, { description: "Opaque; pass it as after to read on from here." }) cursor!: string;
  @Field(() => LeadEvent, { description: "The event." }) node!: LeadEvent;
}

@ObjectType({ description: "A page of a lead's history." })
export class LeadEventConnection {
  @Field(() => [LeadEventEdge], { description: "The page's events, newest first." }) edges!: LeadEventEdge[];
  @Field(() => PageInfo, { description: "Where the page lies in the history." }) pageInfo!: PageInfo;
  @Field(() => Int, { description: "How many events the lead has in all." }) totalCount!: number;
}
