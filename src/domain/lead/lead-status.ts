import { InvalidTransitionError } from "../shared/domain-error";

export const LEAD_STATUSES = ["NEW", "CONTACTED", "QUALIFIED", "CONVERTED", "LOST"] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export const LEAD_SOURCES = ["WEBSITE_FORM", "REFERRAL", "PAID_AD", "SOCIAL", "EVENT", "COLD_OUTREACH", "IMPORT", "OTHER"] as const;
export type LeadSource = (typeof LEAD_SOURCES)[number];

export const ACTIVITY_TYPES = ["NOTE", "CALL", "EMAIL", "MEETING"] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/**
 * The lead's life (docs/domain.md):
 *   NEW -> CONTACTED;  NEW | CONTACTED -> QUALIFIED;  QUALIFIED -> CONVERTED;
 *   NEW | CONTACTED | QUALIFIED -> LOST;  LOST -> NEW (reopen).
 * Anything else, repeating a transition included, is refused.
 */
const ALLOWED: Record<LeadStatus, readonly LeadStatus[]> = {
  NEW: ["CONTACTED", "QUALIFIED", "LOST"],
  CONTACTED: ["QUALIFIED", "LOST"],
  QUALIFIED: ["CONVERTED", "LOST"],
  CONVERTED: [],
  LOST: ["NEW"],
};

/** Whether the lead's life allows this step; the aggregate asks before it moves. */
export function canTransition(from: LeadStatus, to: LeadStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Refuses a step the lead's life does not allow with INVALID_TRANSITION {from, to}. */
export function assertTransition(from: LeadStatus, to: LeadStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

/** A converted lead is closed: only activities, tags, enrichment and erasure still apply. */
export function isClosed(status: LeadStatus): boolean {
  return status === "CONVERTED";
}
