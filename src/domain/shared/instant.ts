import { ValidationError } from "./domain-error";

/**
 * The instants the CRM takes from a client: 1970-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999Z. Nothing in a lead's life lies before the epoch,
 * and beyond these bounds JavaScript, ISO-8601's four-digit years and
 * PostgreSQL's timestamptz stop agreeing (year 0 does not exist in PostgreSQL).
 */
export const EARLIEST_INSTANT = Date.UTC(1970, 0, 1);
export const LATEST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function isSupportedInstant(time: number): boolean {
  return Number.isFinite(time) && time >= EARLIEST_INSTANT && time <= LATEST_INSTANT;
}

/** A valid Date within the supported range, else BAD_USER_INPUT naming `field`. */
export function supportedInstant(date: Date, field: string): Date {
  if (Number.isNaN(date.getTime())) throw new ValidationError(field, `${field} is not a valid timestamp`);
  if (!isSupportedInstant(date.getTime())) {
    throw new ValidationError(field, `${field} must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z`);
  }
  return date;
}
