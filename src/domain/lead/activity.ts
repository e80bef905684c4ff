import { ValidationError } from "../shared/domain-error";
import { supportedInstant } from "../shared/instant";
import type { ActivitySummary } from "./activity-summary";
import type { ActivityType } from "./lead-status";

/** Something a rep did with a lead: a call, meeting, email or note. Entity of the Lead aggregate. */
export interface Activity {
  readonly id: string;
  readonly leadId: string;
  readonly type: ActivityType;
  readonly summary: string;
  readonly occurredAt: Date;
  readonly actorId: string | null;
  readonly createdAt: Date;
  /** When it was last corrected; null if never. */
  readonly editedAt: Date | null;
}

// Reps log what already happened; a few minutes of slack absorbs clocks that disagree.
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/** An activity as it is logged: undated means "just now", and it may not lie more than 5 minutes ahead. */
export function newActivity(args: {
  id: string;
  leadId: string;
  type: ActivityType;
  summary: ActivitySummary;
  occurredAt: Date | null;
  actorId: string | null;
  now: Date;
}): Activity {
  const occurredAt = args.occurredAt ?? args.now;
  assertOccurredAt(occurredAt, args.now);
  return Object.freeze({
    id: args.id,
    leadId: args.leadId,
    type: args.type,
    summary: args.summary.value,
    occurredAt: new Date(occurredAt.getTime()),
    actorId: args.actorId,
    createdAt: args.now,
    editedAt: null,
  });
}

/** When an activity may have happened: an instant the CRM supports (1970..9999), not more than 5 minutes ahead of `now`. */
export function assertOccurredAt(occurredAt: Date, now: Date): void {
  supportedInstant(occurredAt, "occurredAt");
  if (occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw new ValidationError("occurredAt", "occurredAt may not lie more than 5 minutes in the future");
  }
}

/** A correction of an activity: the fields given change, the others stay. */
export interface ActivityEdits {
  type?: ActivityType;
  summary?: ActivitySummary;
  occurredAt?: Date;
}

/**
 * The activity with the edits applied, stamped `editedAt`, and the names of
 * the fields that really changed (none: the activity as it was).
 */
export function editActivity(activity: Activity, edits: ActivityEdits, now: Date): { activity: Activity; fields: string[] } {
  if (edits.occurredAt !== undefined) assertOccurredAt(edits.occurredAt, now);
  const next = {
    type: edits.type ?? activity.type,
    summary: edits.summary?.value ?? activity.summary,
    occurredAt: edits.occurredAt ?? activity.occurredAt,
  };
  const fields: string[] = [];
  if (next.type !== activity.type) fields.push("type");
  if (next.summary !== activity.summary) fields.push("summary");
  if (next.occurredAt.getTime() !== activity.occurredAt.getTime()) fields.push("occurredAt");
  if (fields.length === 0) return { activity, fields };
  return { activity: Object.freeze({ ...activity, ...next, occurredAt: new Date(next.occurredAt.getTime()), editedAt: now }), fields };
}
