import { registerEnumType } from "type-graphql";
import type { LeadEventName } from "../../domain/lead/events";
import { ACTIVITY_TYPES, LEAD_SOURCES, LEAD_STATUSES } from "../../domain/lead/lead-status";

/** A GraphQL enum whose values are the domain's own strings. */
function enumOf<T extends string>(values: readonly T[]): { [K in T]: K } {
  return Object.fromEntries(values.map((value) => [value, value])) as { [K in T]: K };
}

export const LeadStatusEnum = enumOf(LEAD_STATUSES);
export const LeadSourceEnum = enumOf(LEAD_SOURCES);
export const ActivityTypeEnum = enumOf(ACTIVITY_TYPES);
export const LeadOrderFieldEnum = enumOf(["CREATED_AT", "UPDATED_AT", "SCORE"] as const);
export const SortDirectionEnum = enumOf(["ASC", "DESC"] as const);

/** The stream name of each event (`LeadCaptured`) as GraphQL spells it (`LEAD_CAPTURED`). */
export const LEAD_EVENT_TYPES: Record<LeadEventName, string> = {
  LeadCaptured: "LEAD_CAPTURED",
  LeadContactUpdated: "LEAD_CONTACT_UPDATED",
  LeadAssigned: "LEAD_ASSIGNED",
  LeadStatusChanged: "LEAD_STATUS_CHANGED",
  LeadActivityLogged: "LEAD_ACTIVITY_LOGGED",
  LeadTagsChanged: "LEAD_TAGS_CHANGED",
  LeadScoreChanged: "LEAD_SCORE_CHANGED",
  LeadEnriched: "LEAD_ENRICHED",
  LeadDeleted: "LEAD_DELETED",
  // Corrections and unassign.
  LeadUnassigned: "LEAD_UNASSIGNED",
  LeadActivityEdited: "LEAD_ACTIVITY_EDITED",
  LeadActivityDeleted: "LEAD_ACTIVITY_DELETED",
  // Bulk import and merge.
  LeadMerged: "LEAD_MERGED",
};
export const LeadEventTypeEnum = enumOf(Object.values(LEAD_EVENT_TYPES));

registerEnumType(LeadStatusEnum, { name: "LeadStatus" });
registerEnumType(LeadSourceEnum, { name: "LeadSource" });
registerEnumType(ActivityTypeEnum, { name: "ActivityType" });
registerEnumType(LeadOrderFieldEnum, { name: "LeadOrderField" });
registerEnumType(SortDirectionEnum, { name: "SortDirection" });
registerEnumType(LeadEventTypeEnum, { name: "LeadEventType" });
