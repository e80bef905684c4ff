/** Every event a lead can record; each has its own stream (events:<name>). */
export const LEAD_EVENT_NAMES = [
  "LeadCaptured",
  "LeadContactUpdated",
  "LeadAssigned",
  "LeadStatusChanged",
  "LeadActivityLogged",
  "LeadTagsChanged",
  "LeadScoreChanged",
  "LeadEnriched",
  "LeadDeleted",
  // Corrections and unassign.
  "LeadUnassigned",
  "LeadActivityEdited",
  "LeadActivityDeleted",
  // Bulk import and merge.
  "LeadMerged",
] as const;
export type LeadEventName = (typeof LEAD_EVENT_NAMES)[number];

/** A fact about a lead, plain data so it serialises to the outbox and streams unchanged. */
export interface LeadEvent {
  eventId: string;
  name: LeadEventName;
  tenantId: string;
  leadId: string;
  /** The lead's version right after the change that recorded this event. */
  version: number;
  occurredAt: Date;
  actorId: string | null;
  payload: Record<string, unknown>;
}
