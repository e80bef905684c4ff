import pg from "pg";

const TIMESTAMPTZ_OID = 1184;
const parseWithPostgresDate = pg.types.getTypeParser(TIMESTAMPTZ_OID, "text") as (text: string) => Date;

/**
 * timestamptz as PostgreSQL prints it ("2026-11-24 10:11:12.123456+00") into
 * a Date, through the engine's own ISO parser: about twice as fast as pg's
 * default, which a page of leads with activities calls hundreds of times.
 * Anything unusual (infinity, BC dates) goes to pg's parser.
 */
export function parseTimestamptz(text: string): Date {
  if (text.length >= 22 && text[10] === " ") {
    const iso = `${text.slice(0, 10)}T${text.slice(11)}`;
    const time = Date.parse(text[text.length - 3] === "+" || text[text.length - 3] === "-" ? `${iso}:00` : iso);
    if (!Number.isNaN(time)) return new Date(time);
  }
  return parseWithPostgresDate(text);
}

/** The read side's type parsers: pg's defaults, timestamptz parsed faster. */
export const readTypeParsers = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMPTZ_OID && format !== "binary" ? parseTimestamptz : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};
