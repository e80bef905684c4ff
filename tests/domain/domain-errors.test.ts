import { describe, expect, it } from "vitest";
import {
  DomainError,
  InvalidTransitionError,
  LeadAlreadyExistsError,
  LeadNotFoundError,
  ValidationError,
  VersionConflictError,
} from "../../src/domain/shared/domain-error";
import { LEAD_ID } from "./lead-builder";

describe("domain errors", () => {
  const cases: [DomainError, string, Record<string, unknown>][] = [
    [new ValidationError("email", 'email: "x" is not a valid email address'), "BAD_USER_INPUT", { field: "email" }],
    [new LeadNotFoundError(LEAD_ID), "NOT_FOUND", {}],
    [new VersionConflictError(3, 5), "CONFLICT", { actualVersion: 5 }],
    [new LeadAlreadyExistsError(LEAD_ID), "LEAD_ALREADY_EXISTS", { existingLeadId: LEAD_ID }],
    [new InvalidTransitionError("LOST", "CONVERTED"), "INVALID_TRANSITION", { from: "LOST", to: "CONVERTED" }],
  ];

  for (const [error, code, details] of cases) {
    it(`${error.name} carries ${code} and the extensions the API shows`, () => {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.details).toEqual(details);
    });

    it(`${error.name} says what went wrong in one plain sentence`, () => {
      expect(error.message).toMatch(/^[\w"]/);
      expect(error.message).not.toMatch(/\n|at .*\(|\.ts\b|node_modules/);
    });
  }

  it("tell the caller what to do about a conflict", () => {
    expect(new VersionConflictError(3, 5).message).toBe("The lead is at version 5, not the expected 3: reload it and try again");
  });

  it("describe a refused transition by default", () => {
    expect(new InvalidTransitionError("LOST", "CONVERTED").message).toBe("A LOST lead cannot become CONVERTED");
    expect(new InvalidTransitionError("NEW", "QUALIFIED", "A lead needs an owner before it can be qualified").message).toBe(
      "A lead needs an owner before it can be qualified",
    );
  });
});
