import { ValidationError } from "./domain-error";

/** Lengths count Unicode code points (docs/domain.md: Values), not UTF-16 units: an emoji is one character. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}

// NUL cannot be stored in a PostgreSQL text column; a UTF-16 surrogate without its
// partner is not a character at all (it has no UTF-8 form and no place in the outbox's JSON).
const NOT_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The rule under every text a client sends (values and filters alike): a
 * string of whole Unicode characters (no unpaired surrogate), none of them NUL.
 */
export function plainText(raw: unknown, field: string): string {
  if (typeof raw !== "string") throw new ValidationError(field, `${field} must be text`);
  if (NOT_TEXT.test(raw)) {
    throw new ValidationError(field, `${field} must be Unicode text without NUL characters (U+0000) or unpaired surrogates`);
  }
  return raw;
}

/**
 * The shared rule of every bounded text (names, reasons, summaries): trimmed
 * unless told otherwise, then min..max code points.
 */
export function boundedText(
  raw: unknown,
  field: string,
  { min, max, trim = true }: { min: number; max: number; trim?: boolean },
): string {
  const plain = plainText(raw, field);
  const text = trim ? plain.trim() : plain;
  const length = codePointLength(text);
  if (length === 0 && min > 0) throw new ValidationError(field, `${field} must not be empty`);
  if (length < min) throw new ValidationError(field, `${field} must be at least ${min} characters long (got ${length})`);
  if (length > max) throw new ValidationError(field, `${field} must be at most ${max} characters long (got ${length})`);
  return text;
}

const EXCERPT_LENGTH = 60;

/**
 * The rejected input, quoted for an error message: the caller sees what was
 * refused, yet a megabyte of garbage is not echoed back whole.
 */
export function quoted(raw: unknown): string {
  const text = typeof raw === "string" ? raw : String(raw);
  const points = [...text];
  return JSON.stringify(points.length > EXCERPT_LENGTH ? `${points.slice(0, EXCERPT_LENGTH).join("")}…` : text);
}
