import { parseUuid } from "../../domain/shared/identifier";
import type { Actor } from "../actor";
import type { LeadView } from "../lead-view";
import type { CommandDeps } from "./command-deps";
import { changeLead } from "./change-lead";
import { editorOf, findActivityToChange } from "./activity-to-change";

export async function deleteLeadActivity(
  deps: CommandDeps,
  actor: Actor,
  input: { leadId: string; activityId: string; expectedVersion?: number | null },
): Promise<LeadView> {
  const leadId = parseUuid(input.leadId, "leadId");
  const activityId = parseUuid(input.activityId, "activityId");
  const { lead } = await changeLead(
    deps,
    actor,
    { leadId, expectedVersion: input.expectedVersion, prepare: findActivityToChange(activityId, actor) },
    (lead, change, _tx, activity) => lead.deleteActivity(activity, editorOf(actor), change),
  );
  return lead;
}
