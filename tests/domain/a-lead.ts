import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import { CompanyName } from "../../src/domain/lead/company-name";
import type { CompanyProfile } from "../../src/domain/lead/company-profile";
import { Email } from "../../src/domain/lead/email";
import { Lead, type Change } from "../../src/domain/lead/lead";
import { LeadName } from "../../src/domain/lead/lead-name";
import type { LeadSource, LeadStatus } from "../../src/domain/lead/lead-status";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { Phone } from "../../src/domain/lead/phone";
import { TagSet } from "../../src/domain/lead/tag";

export const REP = "11111111-1111-4111-8111-111111111111";
export const OTHER_REP = "44444444-4444-4444-8444-444444444444";
export const LEAD_ID = "22222222-2222-4222-8222-222222222222";
export const TENANT = "33333333-3333-4333-8333-333333333333";
export const NOW = new Date("2026-11-24T10:00:00.000Z");

let sequence = 0;
/** A change made by the rep at a fixed time, with predictable event ids. */
export function aChange(now: Date = NOW, actorId: string | null = REP): Change {
  return { actorId, now, newEventId: () => `event-${++sequence}` };
}

/** `minutes` after NOW: for changes that must be told apart from earlier ones by time. */
export function later(minutes = 1): Change {
  return aChange(new Date(NOW.getTime() + minutes * 60_000));
}

/** Object mother for leads: `aLead().withOwner().qualified().build()`. */
export function aLead() {
  let source: LeadSource = "WEBSITE_FORM";
  let owner: string | null = null;
  let phone: string | null = null;
  let company: string | null = null;
  let value: Money | null = null;
  let tags: string[] = [];
  const steps: ((lead: Lead) => void)[] = [];
  const builder = {
    from(s: LeadSource) {
      source = s;
      return builder;
    },
    withOwner(id = REP) {
      owner = id;
      return builder;
    },
    withPhone(p = "+14155550123") {
      phone = p;
      return builder;
    },
    withCompany(c = "Acme") {
      company = c;
      return builder;
    },
    withTags(...t: string[]) {
      tags = t;
      return builder;
    },
    worth(amountMinor: number, currency = "USD") {
      value = Money.create({ amountMinor, currency });
      return builder;
    },
    withActivities(count: number) {
      for (let i = 0; i < count; i++) {
        steps.push((lead) => lead.logActivity({ id: `activity-${i}`, type: "NOTE", summary: ActivitySummary.create("note"), occurredAt: null }, aChange()));
      }
      return builder;
    },
    enrichedWith(profile: Partial<CompanyProfile> = {}) {
      steps.push((lead) => lead.recordEnrichment({ domain: "example.com", name: null, employeeCount: null, industry: null, ...profile }, aChange()));
      return builder;
    },
    contacted() {
      steps.push((lead) => lead.markContacted(aChange()));
      return builder;
    },
    qualified(amountMinor = 50_000) {
      if (!owner) owner = REP;
      steps.push((lead) => lead.qualify(Money.create({ amountMinor, currency: "USD" }), aChange()));
      return builder;
    },
    converted() {
      builder.qualified();
      steps.push((lead) => lead.convert(aChange()));
      return builder;
    },
    lost(reason = "No budget") {
      steps.push((lead) => lead.markLost(LostReason.create(reason), aChange()));
      return builder;
    },
    /** Any status, reached the ordinary way (with an owner, so qualifying is possible). */
    inStatus(status: LeadStatus) {
      builder.withOwner(owner ?? REP);
      if (status === "CONTACTED") builder.contacted();
      if (status === "QUALIFIED") builder.qualified();
      if (status === "CONVERTED") builder.converted();
      if (status === "LOST") builder.lost();
      return builder;
    },
    /** The lead with the events and activities of its history already handed over, as if just loaded. */
    build(): Lead {
      const lead = Lead.capture(
        {
          id: LEAD_ID,
          tenantId: TENANT,
          name: LeadName.create("Ada Lovelace"),
          email: Email.create("ada@example.com"),
          phone: Phone.create(phone),
          company: CompanyName.create(company),
          source,
          campaignId: null,
          ownerId: owner,
          tags: TagSet.create(tags),
          estimatedValue: value,
        },
        aChange(),
      );
      for (const step of steps) step(lead);
      lead.pullEvents();
      lead.pullNewActivities();
      return lead;
    },
  };
  return builder;
}

/** The error a call throws, for assertions on its code and details. */
export function errorOf(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}
