import { Arg, Ctx, ID, Int, Mutation, Resolver } from "type-graphql";
import { assignLead } from "../../application/commands/assign-lead";
import { captureLead } from "../../application/commands/capture-lead";
import { convertLead } from "../../application/commands/convert-lead";
import { deleteLead } from "../../application/commands/delete-lead";
import { logLeadActivity } from "../../application/commands/log-lead-activity";
import { markLeadContacted } from "../../application/commands/mark-lead-contacted";
import { markLeadLost } from "../../application/commands/mark-lead-lost";
import { qualifyLead } from "../../application/commands/qualify-lead";
import { reopenLead } from "../../application/commands/reopen-lead";
import { tagLead, untagLead } from "../../application/commands/tag-lead";
import { updateLeadContact } from "../../application/commands/update-lead-contact";
import { deleteLeadActivity } from "../../application/commands/delete-lead-activity";
import { editLeadActivity } from "../../application/commands/edit-lead-activity";
import { unassignLead } from "../../application/commands/unassign-lead";
import { importLeads } from "../../application/commands/import-leads";
import { mergeLeads } from "../../application/commands/merge-leads";
import { ImportLeadsInput, ImportLeadsResult } from "../types/bulk-and-merge";
import { actorOf, ERASE, requireRole, WRITE } from "../auth";
import type { RequestContext } from "../context";
import type { Role } from "../../infrastructure/auth/principal";
import { CaptureLeadInput, EditActivityInput, LogActivityInput, UpdateLeadContactInput } from "../types/inputs";
import { Activity, Lead } from "../types/lead";
import { MoneyInput } from "../types/shared-types";
import { EXPECTED_VERSION } from "./argument-descriptions";

/** Turns mutations into commands: check the caller, hand over, return the result. */
@Resolver()
export class LeadMutationsResolver {
  @Mutation(() => Lead, { description: "Records a new lead in the caller's tenant: status NEW, version 1, scored. LEAD_ALREADY_EXISTS if the tenant has the email." })
  captureLead(@Arg("input", () => CaptureLeadInput, { description: "The new lead." }) input: CaptureLeadInput, @Ctx() context: RequestContext) {
    return captureLead(...commandOf(context), input);
  }

  @Mutation(() => Lead, { description: "Changes a lead's name, email, phone or company; what is omitted stays." })
  updateLeadContact(@Arg("input", () => UpdateLeadContactInput, { description: "The lead and its new contact data." }) input: UpdateLeadContactInput, @Ctx() context: RequestContext) {
    return updateLeadContact(...commandOf(context), input);
  }

  @Mutation(() => Lead, { description: "Makes a user the lead's owner." })
  assignLead(
    @Arg("id", () => ID, { description: "The lead's id." }) id: string,
    @Arg("ownerId", () => ID, { description: "The user who will own the lead." }) ownerId: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null,
  ) {
    return assignLead(...commandOf(context), { id, ownerId, expectedVersion });
  }

  @Mutation(() => Lead, { description: "NEW -> CONTACTED." })
  markLeadContacted(
    @Arg("id", () => ID, { description: "The lead's id." }) id: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null,
  ) {
    return markLeadContacted(...commandOf(context), { id, expectedVersion });
  }

  @Mutation(() => Lead, { description: "NEW or CONTACTED -> QUALIFIED; the lead must have an owner." })
  qualifyLead(
    @Arg("id", () => ID, { description: "The lead's id." }) id: string,
    @Arg("estimatedValue", () => MoneyInput, { description: "What the deal may be worth; amountMinor above 0." }) estimatedValue: MoneyInput,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null,
  ) {
    return qualifyLead(...commandOf(context), { id, estimatedValue, expectedVersion });
  }

  @Mutation(() => Lead, { description: "QUALIFIED -> CONVERTED; sets convertedAt, score 100. A converted lead is closed." })
  convertLead(
    @Arg("id", () => ID, { description: "The lead's id." }) id: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null,
  ) {
    return convertLead(...commandOf(context), { id, expectedVersion });
  }

  @Mutation(() => Lead, { description: "NEW, CONTACTED or QUALIFIED -> LOST, with a reason; score 0." })
  markLeadLost(
    @Arg("id", () => ID, { description: "The lead's id." }) id: string,
    @Arg("reason", () => String, { description: "Why it was lost; 1 to 500 characters." }) reason: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null,
  ) {
    return markLeadLost(...commandOf(context), { id, reason, expectedVersion });
  }

  @Mutation(() => Lead, { description: "LOST -> NEW; clears lostReason." })
  reopenLead(
    @Arg("id", () => ID, { description: "The lead's id." }) id: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null,
  ) {
    return reopenLead(...commandOf(context), { id, expectedVersion });
  }

  @Mutation(() => Activity, { description: "Logs a call, email, meeting or note on the lead (+5 score per activity, at most +25). Allowed on a CONVERTED lead." })
  logLeadActivity(
    @Arg("leadId", () => ID, { description: "The lead's id." }) leadId: string,
    @Arg("input", () => LogActivityInput, { description: "The activity." }) input: LogActivityInput,
    @Ctx() context: RequestContext,
  ) {
    return logLeadActivity(...commandOf(context), { leadId, activity: input });
  }

  @Mutation(() => Lead, { description: "Adds tags (at most 20 per lead). Allowed on a CONVERTED lead." })
  tagLead(@Arg("id", () => ID, { description: "The lead's id." }) id: string, @Arg("tags", () => [String], { description: "Tags, each trimmed and lower-cased; duplicates merged." }) tags: string[], @Ctx() context: RequestContext) {
    return tagLead(...commandOf(context), { id, tags });
  }

  @Mutation(() => Lead, { description: "Removes tags; a tag the lead lacks is ignored. Allowed on a CONVERTED lead." })
  untagLead(@Arg("id", () => ID, { description: "The lead's id." }) id: string, @Arg("tags", () => [String], { description: "Tags, each trimmed and lower-cased; duplicates merged." }) tags: string[], @Ctx() context: RequestContext) {
    return untagLead(...commandOf(context), { id, tags });
  }

  @Mutation(() => ID, { description: "Erases the lead and its activities (right to erasure). Admins only. Returns the id." })
  deleteLead(@Arg("id", () => ID, { description: "The lead's id." }) id: string, @Ctx() context: RequestContext) {
    return deleteLead(...commandOf(context, ERASE), { id });
  }

  // Correcting activities and unassigning.

  @Mutation(() => Lead, { description: "Removes the owner. QUALIFIED and CONVERTED leads keep theirs (INVALID_TRANSITION)." })
  unassignLead(
    @Arg("id", () => ID, { description: "The lead's id." }) id: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null,
  ) {
    return unassignLead(...commandOf(context), { id, expectedVersion });
  }

  @Mutation(() => Activity, { description: "Corrects an activity. Its actor or an admin only." })
  editLeadActivity(
    @Arg("leadId", () => ID, { description: "The lead's id." }) leadId: string,
    @Arg("activityId", () => ID, { description: "The activity, which must be on that lead." }) activityId: string,
    @Arg("input", () => EditActivityInput, { description: "What to correct." }) input: EditActivityInput,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null,
  ) {
    return editLeadActivity(...commandOf(context), { leadId, activityId, edits: input, expectedVersion });
  }

  @Mutation(() => Lead, { description: "Removes an activity. Its actor or an admin only." })
  deleteLeadActivity(
    @Arg("leadId", () => ID, { description: "The lead's id." }) leadId: string,
    @Arg("activityId", () => ID, { description: "The activity, which must be on that lead." }) activityId: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null,
  ) {
    return deleteLeadActivity(...commandOf(context), { leadId, activityId, expectedVersion });
  }

  // Bulk import and merge.

  @Mutation(() => ImportLeadsResult, { description: "Captures many leads in one call; every row gets its own result." })
  importLeads(@Arg("input", () => ImportLeadsInput, { description: "The rows and what to do with duplicates." }) input: ImportLeadsInput, @Ctx() context: RequestContext) {
    return importLeads(...commandOf(context), input);
  }

  @Mutation(() => Lead, { description: "Folds the duplicate into the survivor (activities, tags, missing fields) and erases the duplicate." })
  mergeLeads(
    @Arg("survivorId", () => ID, { description: "The lead that stays." }) survivorId: string,
    @Arg("duplicateId", () => ID, { description: "The lead folded in and erased; not CONVERTED." }) duplicateId: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null,
  ) {
    return mergeLeads(...commandOf(context), { survivorId, duplicateId, expectedVersion });
  }
}

/** The command's dependencies and actor, once the caller may run it. */
function commandOf(context: RequestContext, allowed: readonly Role[] = WRITE) {
  const principal = requireRole(context, allowed);
  return [context.services.commands, actorOf(principal)] as const;
}
