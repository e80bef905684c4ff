import type { Activity } from "../../domain/lead/activity";
import type { ActivityEditor, Lead } from "../../domain/lead/lead";
import type { Actor } from "../actor";
import type { TenantTransaction } from "../unit-of-work";

export function editorOf(actor: Actor): ActivityEditor {
  return { userId: actor.userId, isAdmin: actor.isAdmin === true };
}

/**
 * The activity a correction or removal is about, once the lead is loaded and
 * before its expected version is checked: NOT_FOUND (no such activity on this
 * lead), then FORBIDDEN (neither its actor nor an admin), as the lead decides.
 */
export function findActivityToChange(activityId: string, actor: Actor) {
  return async (lead: Lead, { leads }: TenantTransaction): Promise<Activity> => {
    const activity = await leads.findActivity(lead.id, activityId);
    lead.assertMayChangeActivity(activity, activityId, editorOf(actor));
    return activity;
  };
}
