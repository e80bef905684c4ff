import { Field, ID, Int, ObjectType } from "type-graphql";
import type { LeadView } from "../../application/lead-view";
import type { PublishedLeadEvent } from "../../application/live-events";
import { JsonScalar } from "../scalars";
import { Lead } from "./lead";
import { LEAD_EVENT_TYPES, LeadEventTypeEnum } from "./enums";
import { PageInfo } from "./shared-types";

@ObjectType({ description: "A domain event of the lead pipeline, as delivered to live subscribers." })
export class LeadEvent {
  @Field(() => ID) eventId!: string;
  @Field(() => LeadEventTypeEnum) type!: string;
  @Field(() => ID) leadId!: string;
  @Field(() => Int, { description: "The lead's version right after this event." }) version!: number;
  @Field(() => Date) occurredAt!: Date | string;
  @Field(() => ID, { nullable: true }) actorId!: string | null;
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

@ObjectType()
export class LeadEventEdge {
  @Field(() => String) cursor!: string;
  @Field(() => LeadEvent) node!: LeadEvent;
}

@ObjectType()
export class LeadEventConnection {
  @Field(() => [LeadEventEdge]) edges!: LeadEventEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}
