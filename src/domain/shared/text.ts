import { ValidationError } from "./domain-error";

/** Lengths count Unicode code points (RULES: Values), not UTF-16 units: an emoji is one character. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
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
  if (typeof raw !== "string") throw new ValidationError(field, `${field} must be text`);
  const text = trim ? raw.trim() : raw;
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
