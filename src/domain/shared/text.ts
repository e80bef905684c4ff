import { ValidationError } from "./domain-error";

/** Lengths count Unicode code points (RULES: Values), not UTF-16 units. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}

/** Trims and checks a length in code points; the shared rule of every bounded text. */
export function boundedText(raw: unknown, field: string, { min, max }: { min: number; max: number }): string {
  if (typeof raw !== "string") throw new ValidationError(field, `${field} must be text`);
  const text = raw.trim();
  const length = codePointLength(text);
  if (length < min) throw new ValidationError(field, min === 1 ? `${field} must not be empty` : `${field} needs at least ${min} characters`);
  if (length > max) throw new ValidationError(field, `${field} must be at most ${max} characters`);
  return text;
}
