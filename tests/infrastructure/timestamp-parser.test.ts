import fc from "fast-check";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { parseTimestamptz } from "../../src/infrastructure/read-store/timestamp-parser";

const pgDefault = pg.types.getTypeParser(1184, "text") as (text: string) => Date | number;
const two = (n: number) => String(n).padStart(2, "0");

/** timestamptz text as PostgreSQL prints it with DateStyle ISO. */
const printed = fc
  .record({
    at: fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2200-01-01T00:00:00Z"), noInvalidDate: true }),
    micros: fc.integer({ min: 0, max: 999_999 }),
    offsetMinutes: fc.constantFrom(0, 60, -420, 330, 345, -570, 840),
  })
  .map(({ at, micros, offsetMinutes }) => {
    const local = new Date(at.getTime() + offsetMinutes * 60_000);
    const fraction = micros === 0 ? "" : `.${String(micros).padStart(6, "0").replace(/0+$/, "")}`;
    const sign = offsetMinutes < 0 ? "-" : "+";
    const hours = two(Math.floor(Math.abs(offsetMinutes) / 60));
    const minutes = Math.abs(offsetMinutes) % 60;
    return (
      `${local.getUTCFullYear()}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())} ` +
      `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}${fraction}${sign}${hours}${minutes ? `:${two(minutes)}` : ""}`
    );
  });

describe("parseTimestamptz", () => {
  it("reads every ISO timestamptz exactly as pg's own parser does", () => {
    fc.assert(
      fc.property(printed, (text) => {
        expect(parseTimestamptz(text).getTime()).toBe((pgDefault(text) as Date).getTime());
      }),
      { numRuns: 2000 },
    );
  });

  it("hands what it does not recognise to pg's parser", () => {
    for (const text of ["infinity", "-infinity", "0044-03-15 12:00:00+00 BC", "1999-01-08 04:05:06.789+02:30:15"]) {
      expect(parseTimestamptz(text)).toEqual(pgDefault(text));
    }
  });
});
