import { Field, ID, InputType, Int } from "type-graphql";
import type { ActivityType, LeadSource, LeadStatus } from "../../domain/lead/lead-status";
import type { LeadOrderField, SortDirection } from "../../application/queries/lead-ordering";
import { ActivityTypeEnum, LeadOrderFieldEnum, LeadSourceEnum, LeadStatusEnum, SortDirectionEnum } from "./enums";
import { MoneyInput } from "./shared-types";

// Inputs are carriers only: the domain's value objects validate them.

@InputType({ description: "Narrows a list of leads; every condition given must hold." })
export class LeadFilter {
  @Field(() => [LeadStatusEnum], { nullable: true, description: "Leads in any of these statuses." }) status?: LeadStatus[] | null;
  @Field(() => [LeadSourceEnum], { nullable: true, description: "Leads from any of these sources." }) source?: LeadSource[] | null;
  @Field(() => ID, { nullable: true, description: "Leads owned by this user." }) ownerId?: string | null;
  @Field(() => ID, { nullable: true, description: "Leads from this campaign." }) campaignId?: string | null;
  @Field(() => String, { nullable: true, description: "Leads with this tag (compared as stored: trimmed, lower case)." }) tag?: string | null;
  @Field(() => String, { nullable: true, description: "Case-insensitive substring of name, email or company." })
  search?: string | null;
  @Field(() => Int, { nullable: true, description: "Leads scoring at least this much." }) minScore?: number | null;
  @Field(() => Date, { nullable: true, description: "Leads captured at or after this instant." }) createdAfter?: Date | null;
  @Field(() => Date, { nullable: true, description: "Leads captured before this instant." }) createdBefore?: Date | null;
}

@InputType({ description: "How leads are sorted; the default is CREATED_AT DESC." })
export class LeadOrder {
  @Field(() => LeadOrderFieldEnum, { description: "What to sort by." }) field!: LeadOrderField;
  @Field(() => SortDirectionEnum, { description: "Ascending or descending." }) direction!: SortDirection;
}

@InputType({ description: "A new lead; every value is checked as docs/domain.md says (Values)." })
export class CaptureLeadInput {
  @Field(() => String, { description: "Trimmed; 1 to 200 characters." }) name!: string;
  @Field(() => String, { description: "A valid address of at most 254 characters, unique within the tenant; stored in lower case." }) email!: string;
  @Field(() => String, { nullable: true, description: "E.164 once spaces, dashes, dots and parentheses are removed." }) phone?: string | null;
  @Field(() => String, { nullable: true, description: "Trimmed; up to 200 characters; empty means none." }) company?: string | null;
  @Field(() => LeadSourceEnum, { description: "Where the lead came from." }) source!: LeadSource;
  @Field(() => ID, { nullable: true, description: "The campaign the lead came from." }) campaignId?: string | null;
  @Field(() => ID, { nullable: true, description: "The sales rep who owns the lead." }) ownerId?: string | null;
  @Field(() => [String], { nullable: true, description: "At most 20, each matching `[a-z0-9][a-z0-9 _-]{0,31}` once trimmed and lower-cased." })
  tags?: string[] | null;
  @Field(() => MoneyInput, { nullable: true, description: "What the deal may be worth." }) estimatedValue?: MoneyInput | null;
}

@InputType({ description: "New contact data; an omitted field stays as it is." })
export class UpdateLeadContactInput {
  @Field(() => ID, { description: "The lead to change." }) id!: string;
  @Field(() => Int, { nullable: true, description: "The version you last read; if the lead has moved on, CONFLICT and nothing changes." })
  expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: "The new name; cannot be cleared." }) name?: string | null;
  @Field(() => String, { nullable: true, description: "The new email, unique within the tenant; cannot be cleared." }) email?: string | null;
  @Field(() => String, { nullable: true, description: "The new phone; null clears it." }) phone?: string | null;
  @Field(() => String, { nullable: true, description: "The new company; null clears it." }) company?: string | null;
}

@InputType({ description: "An activity to log on a lead." })
export class LogActivityInput {
  @Field(() => ActivityTypeEnum, { description: "What kind of contact it was." }) type!: ActivityType;
  @Field(() => String, { description: "What happened; 1 to 2000 characters." }) summary!: string;
  @Field(() => Date, { nullable: true, description: "Defaults to now; may not lie more than 5 minutes in the future." })
  occurredAt?: Date | null;
}

// Correcting an activity.
@InputType({ description: "What to correct in an activity; omitted fields stay as they are." })
export class EditActivityInput {
  @Field(() => ActivityTypeEnum, { nullable: true, description: "The corrected kind of contact." }) type?: ActivityType | null;
  @Field(() => String, { nullable: true, description: "The corrected summary; 1 to 2000 characters." }) summary?: string | null;
  @Field(() => Date, { nullable: true, description: "The corrected time; may not lie more than 5 minutes in the future." })
  occurredAt?: Date | null;
}
