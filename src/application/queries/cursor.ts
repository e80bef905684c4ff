import { ValidationError } from "../../domain/shared/domain-error";
import { isSupportedInstant } from "../../domain/shared/instant";

/**
 * Opaque keyset cursors: the sort key and id of the last row of a page, plus
 * the ordering they belong to, so a cursor from one ordering is refused by
 * another instead of silently skipping or repeating rows.
 */
export interface CursorPosition {
  ordering: string;
  /** The sort value of the row (ISO timestamp or number). */
  value: string | number;
  id: string;
}

const PREFIX = "c1.";
// What a position may hold: sort keys are int4 columns or timestamps the API accepted.
const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(position: CursorPosition): string {
  return PREFIX + Buffer.from(JSON.stringify([position.ordering, position.value, position.id])).toString("base64url");
}

export function decodeCursor(cursor: string, ordering: string, field = "after"): CursorPosition {
  const refuse = (why: string) => new ValidationError(field, `${field}: ${why}`);
  if (!cursor.startsWith(PREFIX)) throw refuse("not a cursor of this API");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), "base64url").toString("utf8"));
  } catch {
    throw refuse("not a cursor of this API");
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw refuse("not a cursor of this API");
  const [cursorOrdering, value, id] = parsed as unknown[];
  if (typeof id !== "string" || !UUID.test(id)) throw refuse("not a cursor of this API");
  if (cursorOrdering !== ordering) throw refuse("the cursor belongs to another ordering");
  // A crafted cursor can carry anything: out-of-range positions are bad input, not a failed statement.
  if (typeof value === "number" && Number.isInteger(value) && value >= INT4_MIN && value <= INT4_MAX) return { ordering, value, id };
  if (typeof value === "string" && isSupportedInstant(Date.parse(value))) return { ordering, value, id };
  throw refuse("not a cursor of this API");
}

/** `first` of a page: 1..100 (docs/domain.md: paging). */
export function pageSize(first: number | null | undefined, field = "first"): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw new ValidationError(field, `${field} must be between 1 and 100`);
  }
  return size;
}
