import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import { CompanyName } from "../../src/domain/lead/company-name";
import { scoreLead, type ScoringFacts } from "../../src/domain/lead/lead-scoring";
import { LEAD_SOURCES, LEAD_STATUSES } from "../../src/domain/lead/lead-status";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Phone } from "../../src/domain/lead/phone";
import { aChange, aLead } from "./a-lead";

/** A lead worth only its source's 5 points, so each rule shows on its own. */
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

/** Everything the rules reward, for the clamp. */
const best: Partial<ScoringFacts> = { source: "REFERRAL", hasPhone: true, hasCompany: true, activityCount: 9, estimatedValueMinor: 5_000_000, employeeCount: 900 };

describe("lead scoring", () => {
  it("starts from the source", () => {
    const expected = { REFERRAL: 30, EVENT: 25, WEBSITE_FORM: 20, PAID_AD: 15, SOCIAL: 10, COLD_OUTREACH: 5, IMPORT: 5, OTHER: 5 };
    for (const source of LEAD_SOURCES) expect(score({ source }), source).toBe(expected[source]);
  });

  it("adds 10 for a phone", () => {
    expect(score({ hasPhone: true })).toBe(15);
  });

  it("adds 10 for a company", () => {
    expect(score({ hasCompany: true })).toBe(15);
  });

  it("adds 5 per logged activity, at most 25", () => {
    expect(score({ activityCount: 1 })).toBe(10);
    expect(score({ activityCount: 4 })).toBe(25);
    expect(score({ activityCount: 5 })).toBe(30);
    expect(score({ activityCount: 6 })).toBe(30);
    expect(score({ activityCount: 1000 })).toBe(30);
  });

  it("adds 10 from 100,000 and 20 from 1,000,000 minor units of estimated value, not both", () => {
    expect(score({ estimatedValueMinor: 0 })).toBe(5);
    expect(score({ estimatedValueMinor: 99_999 })).toBe(5);
    expect(score({ estimatedValueMinor: 100_000 })).toBe(15);
    expect(score({ estimatedValueMinor: 999_999 })).toBe(15);
    expect(score({ estimatedValueMinor: 1_000_000 })).toBe(25);
    expect(score({ estimatedValueMinor: 2_147_483_647 })).toBe(25);
  });

  it("adds 10 for an enriched company of 200 employees or more", () => {
    expect(score({ employeeCount: 199 })).toBe(5);
    expect(score({ employeeCount: 200 })).toBe(15);
  });

  it("adds 10 while QUALIFIED; NEW and CONTACTED add nothing", () => {
    expect(score({ status: "QUALIFIED" })).toBe(15);
    expect(score({ status: "NEW" })).toBe(5);
    expect(score({ status: "CONTACTED" })).toBe(5);
  });

  it("makes CONVERTED always 100 and LOST always 0", () => {
    expect(score({ status: "CONVERTED" })).toBe(100);
    expect(score({ ...best, status: "LOST" })).toBe(0);
  });

  it("is clamped to 100", () => {
    expect(score({ ...best, status: "NEW" })).toBe(100); // 30+10+10+25+20+10 = 105
    expect(score({ ...best, status: "QUALIFIED" })).toBe(100);
  });

  it("stays within 0..100 for every status", () => {
    for (const status of LEAD_STATUSES) {
      for (const facts of [plain, { ...plain, ...best }]) {
        const value = scoreLead({ ...facts, status });
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(100);
      }
    }
  });
});

describe("the lead's score", () => {
  it("is computed at capture", () => {
    expect(aLead().from("EVENT").withPhone().withCompany().worth(100_000).build().state.score).toBe(55);
  });

  it("follows contact data", () => {
    const lead = aLead().build();
    lead.updateContact({ phone: Phone.create("+14155550123"), company: CompanyName.create("Acme") }, aChange());
    expect(lead.state.score).toBe(40);
    lead.updateContact({ phone: null }, aChange());
    expect(lead.state.score).toBe(30);
  });

  it("follows logged activities up to the cap", () => {
    const lead = aLead().withActivities(6).build();
    expect(lead.state.score).toBe(45);
    lead.logActivity({ id: "one-more", type: "NOTE", summary: ActivitySummary.create("n"), occurredAt: null }, aChange());
    expect(lead.state.score).toBe(45);
  });

  it("follows enrichment", () => {
    expect(aLead().enrichedWith({ name: "Big Co", employeeCount: 5000 }).build().state.score).toBe(40); // 20 + company 10 + size 10
  });

  it("follows the status: qualified with its value, converted, lost and reopened", () => {
    const lead = aLead().from("EVENT").withPhone().qualified(1_000_000).build();
    expect(lead.state.score).toBe(65);
    const lost = aLead().from("EVENT").withPhone().qualified(1_000_000).build();
    lost.markLost(LostReason.create("budget"), aChange());
    expect(lost.state.score).toBe(0);
    lost.reopen(aChange());
    expect(lost.state.score).toBe(55); // keeps its value, no longer QUALIFIED
    lead.convert(aChange());
    expect(lead.state.score).toBe(100);
  });
});
