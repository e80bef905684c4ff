import type { LeadStatus } from "../lead/lead-status";

export type DomainErrorCode = "BAD_USER_INPUT" | "NOT_FOUND" | "CONFLICT" | "LEAD_ALREADY_EXISTS" | "INVALID_TRANSITION";

/** An expected failure of a business rule; the API turns `code` and `details` into `extensions`. */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  abstract readonly details: Record<string, unknown>;
}

export class ValidationError extends DomainError {
  readonly code = "BAD_USER_INPUT";
  readonly details: { field: string };
  constructor(field: string, message: string) {
    super(message);
    this.details = { field };
  }
}

export class LeadNotFoundError extends DomainError {
  readonly code = "NOT_FOUND";
  readonly details = {};
  constructor(leadId: string) {
    super(`No lead ${leadId} exists`);
  }
}

export class VersionConflictError extends DomainError {
  readonly code = "CONFLICT";
  readonly details: { actualVersion: number };
  constructor(expected: number, actualVersion: number) {
    super(`The lead is at version ${actualVersion}, not the expected ${expected}: reload and retry`);
    this.details = { actualVersion };
  }
}

export class LeadAlreadyExistsError extends DomainError {
  readonly code = "LEAD_ALREADY_EXISTS";
  readonly details: { existingLeadId: string };
  constructor(existingLeadId: string) {
    super("A lead with this email already exists");
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
