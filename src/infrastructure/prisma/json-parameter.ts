/** A JSON column's parameter in raw SQL: the value's JSON text (cast with ::jsonb), or SQL NULL. */
export function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
