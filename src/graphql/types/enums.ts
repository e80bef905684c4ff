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

registerEnumType(LeadStatusEnum, {
  name: "LeadStatus",
  description: "Where a lead stands in the pipeline; only the moves listed in docs/domain.md are allowed.",
  valuesConfig: {
    NEW: { description: "Captured (or reopened), nobody has talked to it yet." },
    CONTACTED: { description: "Someone got in touch (markLeadContacted)." },
    QUALIFIED: { description: "Worth pursuing: has an owner and an estimated value (qualifyLead)." },
    CONVERTED: { description: "Won (convertLead): closed to every change but activities, tags and erasure." },
    LOST: { description: "Given up, with a reason (markLeadLost); reopenLead makes it NEW again." },
  },
});
registerEnumType(LeadSourceEnum, {
  name: "LeadSource",
  description: "Where a lead came from; it weighs in its score.",
  valuesConfig: {
    WEBSITE_FORM: { description: "A form on the tenant's website." },
    REFERRAL: { description: "Recommended by someone." },
    PAID_AD: { description: "A paid advertisement." },
    SOCIAL: { description: "A social network." },
    EVENT: { description: "A trade show, conference or other event." },
    COLD_OUTREACH: { description: "The sales team reached out first." },
    IMPORT: { description: "Imported in bulk." },
    OTHER: { description: "None of the above." },
  },
});
registerEnumType(ActivityTypeEnum, {
  name: "ActivityType",
  description: "What kind of contact an activity records.",
  valuesConfig: {
    NOTE: { description: "A written note." },
    CALL: { description: "A phone call." },
    EMAIL: { description: "An email sent or received." },
    MEETING: { description: "A meeting." },
  },
});
registerEnumType(LeadOrderFieldEnum, {
  name: "LeadOrderField",
  description: "What leads are sorted by; ties are broken by id in the same direction.",
  valuesConfig: {
    CREATED_AT: { description: "When the lead was captured (the default, newest first)." },
    UPDATED_AT: { description: "When the lead last changed." },
    SCORE: { description: "The lead's score." },
  },
});
registerEnumType(SortDirectionEnum, {
  name: "SortDirection",
  description: "A sort direction.",
  valuesConfig: {
    ASC: { description: "Smallest or oldest first." },
    DESC: { description: "Largest or newest first." },
  },
});
registerEnumType(LeadEventTypeEnum, {
  name: "LeadEventType",
  description: "The kind of a lead's domain event; each is also published to the Redis stream events:<EventName>.",
  valuesConfig: {
    LEAD_CAPTURED: { description: "The lead was captured; the payload holds its fields, score, owner and tags." },
    LEAD_CONTACT_UPDATED: { description: "Contact data changed; the payload is {field: {from, to}} per changed field." },
    LEAD_ASSIGNED: { description: "The owner changed; the payload is {from, to} (owner ids)." },
    LEAD_STATUS_CHANGED: { description: "The status changed; the payload is {from, to, reason?}." },
    LEAD_ACTIVITY_LOGGED: { description: "An activity was logged; the payload is {activityId, type}." },
    LEAD_TAGS_CHANGED: { description: "Tags were added or removed; the payload is {added, removed}." },
    LEAD_SCORE_CHANGED: { description: "The score changed; the payload is {from, to}." },
    LEAD_ENRICHED: { description: "Company enrichment recorded a company profile; the payload is the profile." },
    LEAD_DELETED: { description: "The lead was erased (deleteLead, or a merge's duplicate with {mergedInto}); the payload is {} otherwise." },
    LEAD_UNASSIGNED: { description: "The owner was removed (unassignLead); the payload is {from}." },
    LEAD_ACTIVITY_EDITED: { description: "An activity was corrected (editLeadActivity); the payload is {activityId, fields}, the names of the changed fields." },
    LEAD_ACTIVITY_DELETED: { description: "An activity was removed (deleteLeadActivity); the payload is {activityId, type}." },
    LEAD_MERGED: { description: "A duplicate was folded into this lead (mergeLeads); the payload is {duplicateId, activitiesMoved, filled}." },
  },
});
