import { describe, expect, it } from "vitest";
import { scoreLead, type ScoringFacts } from "../../src/domain/lead/lead-scoring";
import { LEAD_SOURCES } from "../../src/domain/lead/lead-status";
import { aLead } from "./a-lead";

const plain: ScoringFacts = {
  source: "OTHER",
  hasPhone: false,
  hasCompany: false,
  activityCount: 0,
  estimatedValueMinor: null,
  employeeCount: null,
  status: "NEW",
};
const score = (facts: Partial<ScoringFacts>) => scoreLead({ ...plain, ...facts });

describe("lead scoring", () => {
  it("starts from the source", () => {
    const expected = { REFERRAL: 30, EVENT: 25, WEBSITE_FORM: 20, PAID_AD: 15, SOCIAL: 10, COLD_OUTREACH: 5, IMPORT: 5, OTHER: 5 };
    for (const source of LEAD_SOURCES) expect(score({ source }), source).toBe(expected[source]);
  });

  it("adds 10 for a phone and 10 for a company", () => {
    expect(score({ hasPhone: true })).toBe(15);
    expect(score({ hasCompany: true })).toBe(15);
  });

  it("adds 5 per logged activity, at most 25", () => {
    expect(score({ activityCount: 1 })).toBe(10);
    expect(score({ activityCount: 5 })).toBe(30);
    expect(score({ activityCount: 6 })).toBe(30);
  });

  it("adds 10 from 100,000 and 20 from 1,000,000 minor units of estimated value", () => {
    expect(score({ estimatedValueMinor: 99_999 })).toBe(5);
    expect(score({ estimatedValueMinor: 100_000 })).toBe(15);
    expect(score({ estimatedValueMinor: 999_999 })).toBe(15);
    expect(score({ estimatedValueMinor: 1_000_000 })).toBe(25);
  });

  it("adds 10 for a company of 200 employees or more", () => {
    expect(score({ employeeCount: 199 })).toBe(5);
    expect(score({ employeeCount: 200 })).toBe(15);
  });

  it("adds 10 when QUALIFIED; CONVERTED is always 100 and LOST always 0", () => {
    expect(score({ status: "QUALIFIED" })).toBe(15);
    expect(score({ status: "CONVERTED" })).toBe(100);
    expect(score({ status: "LOST", source: "REFERRAL", hasPhone: true })).toBe(0);
  });

  it("is clamped to 100", () => {
    expect(
      score({ source: "REFERRAL", hasPhone: true, hasCompany: true, activityCount: 9, estimatedValueMinor: 5_000_000, employeeCount: 900, status: "QUALIFIED" }),
    ).toBe(100);
  });

  it("is kept current by the aggregate on every change", () => {
    const lead = aLead().from("EVENT").withPhone().build();
    expect(lead.state.score).toBe(35);
    const qualified = aLead().from("EVENT").withPhone().qualified(1_000_000).build();
    expect(qualified.state.score).toBe(65);
  });
});
