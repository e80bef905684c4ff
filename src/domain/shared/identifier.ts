import { ValidationError } from "./domain-error";
import { quoted } from "./text";

// Any RFC-4122-shaped UUID: version and variant nibbles are not checked, ids minted elsewhere vary.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID: the one spelling of that check for every layer. */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

/** Ids are UUIDs; anything else is bad input, not "not found". Lowercased so one id has one spelling. */
export function parseUuid(value: string, field: string): string {
  if (!isUuid(value)) throw new ValidationError(field, `${field}: ${quoted(value)} is not a valid UUID`);
  return value.toLowerCase();
}
