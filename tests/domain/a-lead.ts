import { Email } from "../../src/domain/lead/email";
import { Lead, type Change } from "../../src/domain/lead/lead";
import { LeadName } from "../../src/domain/lead/lead-name";
import type { LeadSource } from "../../src/domain/lead/lead-status";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { Phone } from "../../src/domain/lead/phone";
import { CompanyName } from "../../src/domain/lead/company-name";
import { TagSet } from "../../src/domain/lead/tag";

export const REP = "11111111-1111-4111-8111-111111111111";
export const NOW = new Date("2026-11-24T10:00:00.000Z");

let sequence = 0;
/** A change made by the rep at a fixed time, with predictable event ids. */
export function aChange(now: Date = NOW): Change {
  return { actorId: REP, now, newEventId: () => `event-${++sequence}` };
}

/** Object mother for leads: `aLead().withOwner().qualified().build()`. */
export function aLead() {
  let source: LeadSource = "WEBSITE_FORM";
  let owner: string | null = null;
  let phone: string | null = null;
  let company: string | null = null;
  let value: Money | null = null;
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
    worth(amountMinor: number, currency = "USD") {
      value = Money.create({ amountMinor, currency });
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
    /** The lead with the events of its history already handed over. */
    build(): Lead {
      const lead = Lead.capture(
        {
          id: "22222222-2222-4222-8222-222222222222",
          tenantId: "33333333-3333-4333-8333-333333333333",
          name: LeadName.create("Ada Lovelace"),
          email: Email.create("ada@example.com"),
          phone: Phone.create(phone),
          company: CompanyName.create(company),
          source,
          campaignId: null,
          ownerId: owner,
          tags: TagSet.create([]),
          estimatedValue: value,
        },
        aChange(),
      );
      for (const step of steps) step(lead);
      lead.pullEvents();
      return lead;
    },
  };
  return builder;
}
