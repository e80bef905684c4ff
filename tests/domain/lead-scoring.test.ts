import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import { CompanyName } from "../../src/domain/lead/company-name";
import { scoreLead, type ScoringFacts } from "../../src/domain/lead/lead-scoring";
import { LEAD_SOURCES, LEAD_STATUSES, type LeadSource } from "../../src/domain/lead/lead-status";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { Phone } from "../../src/domain/lead/phone";
import { aChange, aLead } from "./lead-builder";

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
/** What one rule adds on top of the plain lead. */
const pointsFor = (facts: Partial<ScoringFacts>) => score(facts) - score({});

/** Everything the rules reward: 30 + 10 + 10 + 25 + 20 + 10 = 105 before the clamp. */
const everything: Partial<ScoringFacts> = {
  source: "REFERRAL",
  hasPhone: true,
  hasCompany: true,
  activityCount: 9,
  estimatedValueMinor: 5_000_000,
  employeeCount: 900,
};

describe("lead scoring, rule by rule", () => {
  const SOURCE_POINTS: Record<LeadSource, number> = {
    REFERRAL: 30,
    EVENT: 25,
    WEBSITE_FORM: 20,
    PAID_AD: 15,
    SOCIAL: 10,
    COLD_OUTREACH: 5,
    IMPORT: 5,
    OTHER: 5,
  };
  for (const source of LEAD_SOURCES) {
    it(`a ${source} lead starts at ${SOURCE_POINTS[source]}`, () => {
      expect(score({ source })).toBe(SOURCE_POINTS[source]);
    });
  }

  it("a phone adds 10", () => {
    expect(pointsFor({ hasPhone: true })).toBe(10);
  });

  it("a company adds 10", () => {
    expect(pointsFor({ hasCompany: true })).toBe(10);
  });

  it("each logged activity adds 5, at most 25: 5 activities make 25, a 6th adds nothing", () => {
    expect(pointsFor({ activityCount: 0 })).toBe(0);
    expect(pointsFor({ activityCount: 1 })).toBe(5);
    expect(pointsFor({ activityCount: 4 })).toBe(20);
    expect(pointsFor({ activityCount: 5 })).toBe(25);
    expect(pointsFor({ activityCount: 6 })).toBe(25);
    expect(pointsFor({ activityCount: 1000 })).toBe(25);
  });

  it("an estimated value adds 10 from 100,000 and 20 from 1,000,000 minor units, never both", () => {
    expect(pointsFor({ estimatedValueMinor: 0 })).toBe(0);
    expect(pointsFor({ estimatedValueMinor: 99_999 })).toBe(0);
    expect(pointsFor({ estimatedValueMinor: 100_000 })).toBe(10);
    expect(pointsFor({ estimatedValueMinor: 999_999 })).toBe(10);
    expect(pointsFor({ estimatedValueMinor: 1_000_000 })).toBe(20);
    expect(pointsFor({ estimatedValueMinor: 2_147_483_647 })).toBe(20);
  });

  it("an enriched company of 200 employees or more adds 10; 199 adds nothing", () => {
    expect(pointsFor({ employeeCount: 199 })).toBe(0);
    expect(pointsFor({ employeeCount: 200 })).toBe(10);
  });

  it("QUALIFIED adds 10; NEW and CONTACTED add nothing", () => {
    expect(pointsFor({ status: "QUALIFIED" })).toBe(10);
    expect(pointsFor({ status: "NEW" })).toBe(0);
    expect(pointsFor({ status: "CONTACTED" })).toBe(0);
  });

  it("CONVERTED is always 100, whatever else", () => {
    expect(score({ status: "CONVERTED" })).toBe(100);
    expect(score({ ...everything, status: "CONVERTED" })).toBe(100);
  });

  it("LOST is always 0, whatever else", () => {
    expect(score({ status: "LOST" })).toBe(0);
    expect(score({ ...everything, status: "LOST" })).toBe(0);
  });

  it("is clamped at 100 with everything on", () => {
    expect(score({ ...everything, status: "NEW" })).toBe(100);
    expect(score({ ...everything, status: "QUALIFIED" })).toBe(100);
  });

  it("adds the rules up below the clamp", () => {
    // 25 + 10 + 10 + 15 + 10 + 10 + 10 = 90
    expect(score({ source: "EVENT", hasPhone: true, hasCompany: true, activityCount: 3, estimatedValueMinor: 100_000, employeeCount: 200, status: "QUALIFIED" })).toBe(90);
  });

  it("stays within 0..100 for every status", () => {
    for (const status of LEAD_STATUSES) {
      for (const facts of [{}, everything]) {
        const value = score({ ...facts, status });
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(100);
      }
    }
  });
});

describe("the lead's score, through the aggregate", () => {
  it("is computed at capture", () => {
    expect(aLead().withSource("REFERRAL").build().score).toBe(30);
    expect(aLead().withSource("EVENT").withPhone().withCompany().worth(100_000).build().score).toBe(55);
    expect(aLead().withSource("PAID_AD").worth(1_000_000).build().score).toBe(35);
  });

  it("follows contact data", () => {
    const lead = aLead().build();
    lead.updateContact({ phone: Phone.create("+14155550123"), company: CompanyName.create("Acme") }, aChange());
    expect(lead.score).toBe(40);
    lead.updateContact({ phone: null }, aChange());
    expect(lead.score).toBe(30);
  });

  it("follows logged activities up to the cap", () => {
    const lead = aLead().withActivities(4).build();
    expect(lead.score).toBe(40);
    lead.logActivity({ id: "fifth", type: "NOTE", summary: ActivitySummary.create("n"), occurredAt: null }, aChange());
    expect(lead.score).toBe(45);
    lead.logActivity({ id: "sixth", type: "NOTE", summary: ActivitySummary.create("n"), occurredAt: null }, aChange());
    expect(lead.score).toBe(45);
  });

  it("follows enrichment: the company it fills in and the company's size", () => {
    expect(aLead().enrichedWith({ name: null, employeeCount: 199 }).build().score).toBe(20);
    expect(aLead().enrichedWith({ name: null, employeeCount: 200 }).build().score).toBe(30);
    expect(aLead().enrichedWith({ name: "Big Co", employeeCount: 5000 }).build().score).toBe(40);
  });

  it("adds 10 on qualifying, plus what the estimated value is worth", () => {
    const lead = aLead().withSource("EVENT").withPhone().withOwner().build();
    expect(lead.score).toBe(35);
    lead.qualify(Money.create({ amountMinor: 1_000_000, currency: "USD" }), aChange());
    expect(lead.score).toBe(65);
  });

  it("is 100 once converted, 0 once lost, and back to the rules once reopened", () => {
    const won = aLead().withSource("EVENT").withPhone().qualified(1_000_000).build();
    won.convert(aChange());
    expect(won.score).toBe(100);

    const lost = aLead().withSource("EVENT").withPhone().qualified(1_000_000).build();
    lost.markLost(LostReason.create("budget"), aChange());
    expect(lost.score).toBe(0);
    lost.reopen(aChange());
    expect(lost.score).toBe(55); // keeps its value, no longer QUALIFIED
  });

  it("is clamped at 100 on a lead with everything", () => {
    const lead = aLead().withSource("REFERRAL").withPhone().withCompany().worth(5_000_000).withActivities(5).enrichedWith({ employeeCount: 900 }).build();
    expect(lead.score).toBe(100);
  });
});
