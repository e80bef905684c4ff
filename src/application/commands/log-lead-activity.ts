import { ActivitySummary } from "../../domain/lead/activity-summary";
import type { ActivityType } from "../../domain/lead/lead-status";
import { ValidationError } from "../../domain/shared/domain-error";
import { parseUuid } from "../../domain/shared/identifier";
import type { Actor } from "../actor";
import { activityViewOf, type ActivityView } from "../lead-view";
import type { CommandDeps } from "./command-deps";
import { changeLead } from "./change-lead";

export interface LogActivityInput {
  type: ActivityType;
  summary: string;
  occurredAt?: Date | null;
}

export async function logLeadActivity(
  deps: CommandDeps,
  actor: Actor,
  input: { leadId: string; activity: LogActivityInput },
): Promise<ActivityView> {
  const leadId = parseUuid(input.leadId, "leadId");
  const summary = ActivitySummary.create(input.activity.summary);
  const occurredAt = input.activity.occurredAt ?? null;
  if (occurredAt && Number.isNaN(occurredAt.getTime())) throw new ValidationError("occurredAt", "occurredAt is not a valid timestamp");
  const { result: activity } = await changeLead(deps, actor, { leadId }, (lead, change) =>
    lead.logActivity({ id: deps.newId(), type: input.activity.type, summary, occurredAt }, change),
  );
  return activityViewOf(activity);
}
