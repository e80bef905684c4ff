import { ValidationError } from "./domain-error";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else is bad input, not "not found". */
export function parseUuid(value: string, field: string): string {
  if (typeof value !== "string" || !UUID.test(value)) throw new ValidationError(field, `${field} must be a UUID`);
  return value.toLowerCase();
}
