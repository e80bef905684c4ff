import { expect } from "vitest";
import { ValidationError } from "../../src/domain/shared/domain-error";
import { errorOf } from "./a-lead";

/** Asserts the call is refused as BAD_USER_INPUT naming `field`; returns the message for further checks. */
export function refused(create: () => unknown, field: string): string {
  const error = errorOf(create);
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).code).toBe("BAD_USER_INPUT");
  expect((error as ValidationError).details).toEqual({ field });
  return (error as ValidationError).message;
}
