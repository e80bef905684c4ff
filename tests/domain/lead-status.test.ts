import { describe, expect, it } from "vitest";
import { assertTransition, canTransition, isClosed, LEAD_STATUSES, type LeadStatus } from "../../src/domain/lead/lead-status";
import { InvalidTransitionError } from "../../src/domain/shared/domain-error";
import { errorOf } from "./refused";

/** The lead's life, as docs/domain.md draws it. */
const LIFE: [LeadStatus, LeadStatus][] = [
  ["NEW", "CONTACTED"],
  ["NEW", "QUALIFIED"],
  ["CONTACTED", "QUALIFIED"],
  ["QUALIFIED", "CONVERTED"],
  ["NEW", "LOST"],
  ["CONTACTED", "LOST"],
  ["QUALIFIED", "LOST"],
  ["LOST", "NEW"],
];
const allowed = (from: LeadStatus, to: LeadStatus) => LIFE.some(([f, t]) => f === from && t === to);

describe("the lead's life", () => {
  for (const from of LEAD_STATUSES) {
    for (const to of LEAD_STATUSES) {
      if (allowed(from, to)) {
        it(`allows ${from} -> ${to}`, () => {
          expect(canTransition(from, to)).toBe(true);
          expect(() => assertTransition(from, to)).not.toThrow();
        });
      } else {
        it(`refuses ${from} -> ${to}${from === to ? " (repeating a transition)" : ""}`, () => {
          expect(canTransition(from, to)).toBe(false);
          const error = errorOf(() => assertTransition(from, to));
          expect(error).toBeInstanceOf(InvalidTransitionError);
          expect(error).toMatchObject({ code: "INVALID_TRANSITION", details: { from, to } });
        });
      }
    }
  }

  it("closes only a CONVERTED lead", () => {
    expect(LEAD_STATUSES.filter(isClosed)).toEqual(["CONVERTED"]);
  });
});
