import { ValidationError } from "../shared/domain-error";
import type { Change, Lead } from "./lead";

/**
 * Folds a duplicate lead into its survivor: a domain service over two
 * aggregates. Each aggregate keeps its own invariants (the survivor its tag
 * limit, version and score; the duplicate that a converted lead is never
 * folded away), and the survivor absorbs a plain snapshot of the duplicate,
 * never the duplicate object itself, so neither aggregate reaches into the
 * other. This service holds only what spans both: the order of the checks
 * (nothing changes unless all pass) and the pairing of the two events.
 * The repository moves the activities and erases the duplicate as deleteLead does.
 */
export function mergeLeads(survivor: Lead, duplicate: Lead, change: Change): { filled: string[]; activitiesMoved: number } {
  assertDistinct(survivor.id, duplicate.id);
  duplicate.assertMergeableAsDuplicate();
  const snapshot = duplicate.state;
  const filled = survivor.absorb(snapshot, change);
  duplicate.markMergedInto(survivor.id, change);
  return { filled, activitiesMoved: snapshot.activityCount };
}

/** A lead cannot be its own duplicate: bad input (field `duplicateId`), refused before anything is loaded. */
export function assertDistinct(survivorId: string, duplicateId: string): void {
  if (survivorId === duplicateId) throw new ValidationError("duplicateId", "duplicateId must name another lead than survivorId");
}
