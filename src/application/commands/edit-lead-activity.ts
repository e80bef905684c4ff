import { ActivitySummary } from "../../domain/lead/activity-summary";
import { assertOccurredAt, type ActivityEdits } from "../../domain/lead/activity";
import type { ActivityType } from "../../domain/lead/lead-status";
import { ValidationError } from "../../domain/shared/domain-error";
import { parseUuid } from "../../domain/shared/identifier";
import type { Actor } from "../actor";
import { activityViewOf, type ActivityView } from "../lead-view";
import type { CommandDeps } from "./command-deps";
import { changeLead } from "./change-lead";
import { editorOf, findActivityToChange } from "./activity-to-change";

/** An omitted field stays as it is; none of them can be cleared. */
export interface EditActivityInput {
  type?: ActivityType | null;
  summary?: string | null;
  occurredAt?: Date | null;
}

export async function editLeadActivity(
  deps: CommandDeps,
  actor: Actor,
  input: { leadId: string; activityId: string; edits: EditActivityInput; expectedVersion?: number | null },
): Promise<ActivityView> {
  const leadId = parseUuid(input.leadId, "leadId");
  const activityId = parseUuid(input.activityId, "activityId");
  const edits = validEdits(input.edits, deps.clock());
  const { result } = await changeLead(
    deps,
    actor,
    { leadId, expectedVersion: input.expectedVersion, prepare: findActivityToChange(activityId, actor) },
    (lead, change, _tx, activity) => lead.editActivity(activity, edits, editorOf(actor), change),
  );
  return activityViewOf(result);
}

/** Input errors come before NOT_FOUND (docs/domain.md: order of checks), so edits are validated before the lead is loaded. */
function validEdits(input: EditActivityInput, now: Date): ActivityEdits {
  for (const field of ["type", "summary", "occurredAt"] as const) {
    if (input[field] === null) throw new ValidationError(field, `${field} cannot be cleared`);
  }
  const edits: ActivityEdits = {};
  if (input.type != null) edits.type = input.type;
  if (input.summary != null) edits.summary = ActivitySummary.create(input.summary);
  if (input.occurredAt != null) {
    assertOccurredAt(input.occurredAt, now);
    edits.occurredAt = input.occurredAt;
  }
  return edits;
}
