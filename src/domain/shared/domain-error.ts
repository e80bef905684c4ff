import type { LeadStatus } from "../lead/lead-status";

export type DomainErrorCode = "BAD_USER_INPUT" | "NOT_FOUND" | "CONFLICT" | "LEAD_ALREADY_EXISTS" | "INVALID_TRANSITION" | "FORBIDDEN";

/**
 * An expected failure of a business rule. The API turns `code` and `details`
 * into `extensions`, and shows `message` as is: so it is a sentence for the
 * caller, never internals.
 */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** Extensions for the API, e.g. `{ field }` or `{ from, to }`. */
  abstract readonly details: Record<string, unknown>;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input; `field` is the path inside the argument (`email`, `estimatedValue.amountMinor`). */
export class ValidationError extends DomainError {
  readonly code = "BAD_USER_INPUT";
  readonly details: { field: string };
  constructor(field: string, message: string) {
    super(message);
    this.details = { field };
  }
}

/** Also what another tenant's lead looks like: it does not exist for the caller. */
export class LeadNotFoundError extends DomainError {
  readonly code = "NOT_FOUND";
  readonly details = {};
  constructor(leadId: string) {
    super(`No lead with id ${leadId} exists`);
  }
}

export class VersionConflictError extends DomainError {
  readonly code = "CONFLICT";
  readonly details: { actualVersion: number };
  constructor(expected: number, actualVersion: number) {
    super(`The lead is at version ${actualVersion}, not the expected ${expected}: reload it and try again`);
    this.details = { actualVersion };
  }
}

/** An email address is unique per tenant. */
export class LeadAlreadyExistsError extends DomainError {
  readonly code = "LEAD_ALREADY_EXISTS";
  readonly details: { existingLeadId: string };
  constructor(existingLeadId: string) {
    super("A lead with this email address already exists");
    this.details = { existingLeadId };
  }
}

export class InvalidTransitionError extends DomainError {
  readonly code = "INVALID_TRANSITION";
  readonly details: { from: LeadStatus; to: LeadStatus };
  constructor(from: LeadStatus, to: LeadStatus, message?: string) {
    super(message ?? `A ${from} lead cannot become ${to}`);
    this.details = { from, to };
  }
}

// Correcting and removing activities.

/** An activity that is not on the lead named (another lead's counts as none). */
export class ActivityNotFoundError extends DomainError {
  readonly code = "NOT_FOUND";
  readonly details = {};
  constructor(leadId: string, activityId: string) {
    super(`Lead ${leadId} has no activity with id ${activityId}`);
  }
}

/** Only the rep who logged an activity, or an admin, may correct or remove it. */
export class NotActivityActorError extends DomainError {
  readonly code = "FORBIDDEN";
  readonly details = {};
  constructor() {
    super("Only the activity's actor or an admin may change it");
  }
}
