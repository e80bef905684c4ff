import { Field, ID, Int, ObjectType } from "type-graphql";
import type { LeadView } from "../../application/lead-view";
import { JsonScalar } from "../scalars";
import { Lead } from "./lead";
import { LeadEventTypeEnum } from "./enums";

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
