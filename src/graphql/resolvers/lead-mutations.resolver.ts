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

/** Turns mutations into commands: check the caller, hand over, return the result. */
@Resolver()
export class LeadMutationsResolver {
  @Mutation(() => Lead)
  captureLead(@Arg("input", () => CaptureLeadInput) input: CaptureLeadInput, @Ctx() context: RequestContext) {
    return captureLead(...commandOf(context), input);
  }

  @Mutation(() => Lead)
  updateLeadContact(@Arg("input", () => UpdateLeadContactInput) input: UpdateLeadContactInput, @Ctx() context: RequestContext) {
    return updateLeadContact(...commandOf(context), input);
  }

  @Mutation(() => Lead)
  assignLead(
    @Arg("id", () => ID) id: string,
    @Arg("ownerId", () => ID) ownerId: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true }) expectedVersion?: number | null,
  ) {
    return assignLead(...commandOf(context), { id, ownerId, expectedVersion });
  }

  @Mutation(() => Lead)
  markLeadContacted(
    @Arg("id", () => ID) id: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true }) expectedVersion?: number | null,
  ) {
    return markLeadContacted(...commandOf(context), { id, expectedVersion });
  }

  @Mutation(() => Lead)
  qualifyLead(
    @Arg("id", () => ID) id: string,
    @Arg("estimatedValue", () => MoneyInput) estimatedValue: MoneyInput,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true }) expectedVersion?: number | null,
  ) {
    return qualifyLead(...commandOf(context), { id, estimatedValue, expectedVersion });
  }

  @Mutation(() => Lead)
  convertLead(
    @Arg("id", () => ID) id: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true }) expectedVersion?: number | null,
  ) {
    return convertLead(...commandOf(context), { id, expectedVersion });
  }

  @Mutation(() => Lead)
  markLeadLost(
    @Arg("id", () => ID) id: string,
    @Arg("reason", () => String) reason: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true }) expectedVersion?: number | null,
  ) {
    return markLeadLost(...commandOf(context), { id, reason, expectedVersion });
  }

  @Mutation(() => Lead)
  reopenLead(
    @Arg("id", () => ID) id: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true }) expectedVersion?: number | null,
  ) {
    return reopenLead(...commandOf(context), { id, expectedVersion });
  }

  @Mutation(() => Activity)
  logLeadActivity(
    @Arg("leadId", () => ID) leadId: string,
    @Arg("input", () => LogActivityInput) input: LogActivityInput,
    @Ctx() context: RequestContext,
  ) {
    return logLeadActivity(...commandOf(context), { leadId, activity: input });
  }

  @Mutation(() => Lead)
  tagLead(@Arg("id", () => ID) id: string, @Arg("tags", () => [String]) tags: string[], @Ctx() context: RequestContext) {
    return tagLead(...commandOf(context), { id, tags });
  }

  @Mutation(() => Lead)
  untagLead(@Arg("id", () => ID) id: string, @Arg("tags", () => [String]) tags: string[], @Ctx() context: RequestContext) {
    return untagLead(...commandOf(context), { id, tags });
  }

  @Mutation(() => ID, { description: "Erases the lead and its activities (right to erasure). Admins only. Returns the id." })
  deleteLead(@Arg("id", () => ID) id: string, @Ctx() context: RequestContext) {
    return deleteLead(...commandOf(context, ERASE), { id });
  }

  // Correcting activities and unassigning.

  @Mutation(() => Lead, { description: "Removes the owner. QUALIFIED and CONVERTED leads keep theirs (INVALID_TRANSITION)." })
  unassignLead(
    @Arg("id", () => ID) id: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true }) expectedVersion?: number | null,
  ) {
    return unassignLead(...commandOf(context), { id, expectedVersion });
  }

  @Mutation(() => Activity, { description: "Corrects an activity. Its actor or an admin only." })
  editLeadActivity(
    @Arg("leadId", () => ID) leadId: string,
    @Arg("activityId", () => ID) activityId: string,
    @Arg("input", () => EditActivityInput) input: EditActivityInput,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true }) expectedVersion?: number | null,
  ) {
    return editLeadActivity(...commandOf(context), { leadId, activityId, edits: input, expectedVersion });
  }

  @Mutation(() => Lead, { description: "Removes an activity. Its actor or an admin only." })
  deleteLeadActivity(
    @Arg("leadId", () => ID) leadId: string,
    @Arg("activityId", () => ID) activityId: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true }) expectedVersion?: number | null,
  ) {
    return deleteLeadActivity(...commandOf(context), { leadId, activityId, expectedVersion });
  }

  // Bulk import and merge.

  @Mutation(() => ImportLeadsResult, { description: "Captures many leads in one call; every row gets its own result." })
  importLeads(@Arg("input", () => ImportLeadsInput) input: ImportLeadsInput, @Ctx() context: RequestContext) {
    return importLeads(...commandOf(context), input);
  }

  @Mutation(() => Lead, { description: "Folds the duplicate into the survivor (activities, tags, missing fields) and erases the duplicate." })
  mergeLeads(
    @Arg("survivorId", () => ID) survivorId: string,
    @Arg("duplicateId", () => ID) duplicateId: string,
    @Ctx() context: RequestContext,
    @Arg("expectedVersion", () => Int, { nullable: true }) expectedVersion?: number | null,
  ) {
    return mergeLeads(...commandOf(context), { survivorId, duplicateId, expectedVersion });
  }
}

/** The command's dependencies and actor, once the caller may run it. */
function commandOf(context: RequestContext, allowed: readonly Role[] = WRITE) {
  const principal = requireRole(context, allowed);
  return [context.services.commands, actorOf(principal)] as const;
}
