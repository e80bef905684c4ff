import { expect } from "vitest";
import type { LeadStatus } from "../../src/domain/lead/lead-status";
import { InvalidTransitionError, ValidationError } from "../../src/domain/shared/domain-error";

/** The error a call throws, for assertions on its code and details. */
export function errorOf(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

/** Asserts the call is refused as BAD_USER_INPUT naming `field`; returns the message for further checks. */
export function refused(create: () => unknown, field: string): string {
  const error = errorOf(create);
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).code).toBe("BAD_USER_INPUT");
  expect((error as ValidationError).details).toEqual({ field });
  return (error as ValidationError).message;
}

/** Asserts the call is refused as INVALID_TRANSITION {from, to}; returns the message for further checks. */
export function refusedTransition(act: () => unknown, from: LeadStatus, to: LeadStatus): string {
  const error = errorOf(act);
  expect(error).toBeInstanceOf(InvalidTransitionError);
  expect((error as InvalidTransitionError).code).toBe("INVALID_TRANSITION");
  expect((error as InvalidTransitionError).details).toEqual({ from, to });
  return (error as InvalidTransitionError).message;
}
