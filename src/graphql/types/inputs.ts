import { Field, ID, InputType, Int } from "type-graphql";
import type { ActivityType, LeadSource, LeadStatus } from "../../domain/lead/lead-status";
import type { LeadOrderField, SortDirection } from "../../application/queries/lead-ordering";
import { ActivityTypeEnum, LeadOrderFieldEnum, LeadSourceEnum, LeadStatusEnum, SortDirectionEnum } from "./enums";
import { MoneyInput } from "./shared-types";

// Inputs are carriers only: the domain's value objects validate them.

@InputType()
export class LeadFilter {
  @Field(() => [LeadStatusEnum], { nullable: true }) status?: LeadStatus[] | null;
  @Field(() => [LeadSourceEnum], { nullable: true }) source?: LeadSource[] | null;
  @Field(() => ID, { nullable: true }) ownerId?: string | null;
  @Field(() => ID, { nullable: true }) campaignId?: string | null;
  @Field(() => String, { nullable: true }) tag?: string | null;
  @Field(() => String, { nullable: true, description: "Case-insensitive substring of name, email or company." })
  search?: string | null;
  @Field(() => Int, { nullable: true }) minScore?: number | null;
  @Field(() => Date, { nullable: true }) createdAfter?: Date | null;
  @Field(() => Date, { nullable: true }) createdBefore?: Date | null;
}

@InputType()
export class LeadOrder {
  @Field(() => LeadOrderFieldEnum) field!: LeadOrderField;
  @Field(() => SortDirectionEnum) direction!: SortDirection;
}

@InputType()
export class CaptureLeadInput {
  @Field(() => String) name!: string;
  @Field(() => String) email!: string;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => String, { nullable: true }) company?: string | null;
  @Field(() => LeadSourceEnum) source!: LeadSource;
  @Field(() => ID, { nullable: true }) campaignId?: string | null;
  @Field(() => ID, { nullable: true }) ownerId?: string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
  @Field(() => MoneyInput, { nullable: true }) estimatedValue?: MoneyInput | null;
}

@InputType()
export class UpdateLeadContactInput {
  @Field(() => ID) id!: string;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => String, { nullable: true }) company?: string | null;
}

@InputType()
export class LogActivityInput {
  @Field(() => ActivityTypeEnum) type!: ActivityType;
  @Field(() => String) summary!: string;
  @Field(() => Date, { nullable: true, description: "Defaults to now; may not lie more than 5 minutes in the future." })
  occurredAt?: Date | null;
}

// Correcting an activity.
@InputType({ description: "What to correct in an activity; omitted fields stay as they are." })
export class EditActivityInput {
  @Field(() => ActivityTypeEnum, { nullable: true }) type?: ActivityType | null;
  @Field(() => String, { nullable: true }) summary?: string | null;
  @Field(() => Date, { nullable: true }) occurredAt?: Date | null;
}
