import type { Activity } from "../domain/lead/activity";
import type { LeadState } from "../domain/lead/lead";
import type { ActivityType } from "../domain/lead/lead-status";

/**
 * The read model of a lead: what queries return and what mutations hand back
 * to the API. Plain data (CQRS: reads never go through the aggregate); the
 * lead's state without its tenant, which the caller already knows.
 */
export type LeadView = Omit<LeadState, "tenantId">;

export interface ActivityView {
  id: string;
  leadId: string;
  type: ActivityType;
  summary: string;
  occurredAt: Date;
  actorId: string | null;
  /** When the activity was last corrected (editLeadActivity); null if never. */
  editedAt: Date | null;
}

/** The view of a lead's state. `Lead.state` is already a copy of its own, so nothing is copied twice. */
export function leadViewOf(state: Readonly<LeadState>): LeadView {
  const { tenantId: _tenantId, ...view } = state;
  return view;
}

/** The view of an activity the aggregate handed back (logged or corrected). */
export function activityViewOf(activity: Activity): ActivityView {
  return {
    id: activity.id,
    leadId: activity.leadId,
    type: activity.type,
    summary: activity.summary,
    occurredAt: activity.occurredAt,
    actorId: activity.actorId,
    editedAt: activity.editedAt,
  };
}
