import { ValidationError } from "../shared/domain-error";
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
  if (Number.isNaN(occurredAt.getTime())) throw new ValidationError("occurredAt", "occurredAt is not a valid timestamp");
  if (occurredAt.getTime() > args.now.getTime() + FUTURE_TOLERANCE_MS) {
    throw new ValidationError("occurredAt", "occurredAt may not lie more than 5 minutes in the future");
  }
  return Object.freeze({
    id: args.id,
    leadId: args.leadId,
    type: args.type,
    summary: args.summary.value,
    occurredAt: new Date(occurredAt.getTime()),
    actorId: args.actorId,
    createdAt: args.now,
  });
}
