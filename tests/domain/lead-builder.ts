import type { Activity } from "../../src/domain/lead/activity";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import { CompanyName } from "../../src/domain/lead/company-name";
import type { CompanyProfile } from "../../src/domain/lead/company-profile";
import { Email } from "../../src/domain/lead/email";
import type { LeadEvent } from "../../src/domain/lead/events";
import { Lead, type CaptureArgs, type Change } from "../../src/domain/lead/lead";
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
export const CAMPAIGN = "55555555-5555-4555-8555-555555555555";
/** The fixed clock of every change the builder makes. */
export const NOW = new Date("2026-11-24T10:00:00.000Z");

let eventSequence = 0;

/** A change made by `actorId` at a fixed time; event ids come from a counter, so they are predictable and unique. */
export function aChange(now: Date = NOW, actorId: string | null = REP): Change {
  return { actorId, now, newEventId: () => `event-${++eventSequence}` };
}

/** A change `minutes` after NOW: tells a command's updatedAt apart from the lead's history. */
export function later(minutes = 1): Change {
  return aChange(minutesAfterNow(minutes));
}

export function minutesAfterNow(minutes: number): Date {
  return new Date(NOW.getTime() + minutes * 60_000);
}

/** The company profile enrichment would deliver for example.com, with any field overridden. */
export function aProfile(profile: Partial<CompanyProfile> = {}): CompanyProfile {
  return { domain: "example.com", name: "Example Inc", employeeCount: 50, industry: "Software", ...profile };
}

/** [name, version, payload] of each event recorded since the last pull: what most event assertions compare. */
export function eventsOf(lead: Lead): [string, number, Record<string, unknown>][] {
  return lead.pullEvents().map((event) => [event.name, event.version, event.payload]);
}

/** Just the names of the events recorded since the last pull. */
export function eventNamesOf(lead: Lead): string[] {
  return lead.pullEvents().map((event) => event.name);
}

type Step = (lead: Lead) => void;

/**
 * Object mother for leads:
 * `aLead().withSource("REFERRAL").withOwner(REP).contacted().qualified(1_000_000).build()`.
 * Statuses are reached the ordinary way, through the lead's own commands with a fixed clock,
 * and each one takes the shortest path from where the lead is (`converted()` qualifies first,
 * giving the lead an owner if it has none; `reopened()` loses it first).
 */
export class LeadBuilder {
  private source: LeadSource = "WEBSITE_FORM";
  private name = "Ada Lovelace";
  private email = "ada@example.com";
  private owner: string | null = null;
  private phone: string | null = null;
  private company: string | null = null;
  private campaign: string | null = null;
  private value: Money | null = null;
  private tags: string[] = [];
  private readonly steps: Step[] = [];
  private reached: LeadStatus = "NEW";
  private activities = 0;
  private id = LEAD_ID;

  /** Another id than LEAD_ID: a second lead in the same test (a merge's duplicate). */
  withId(id: string): this {
    this.id = id;
    return this;
  }

  withSource(source: LeadSource): this {
    this.source = source;
    return this;
  }

  named(name: string): this {
    this.name = name;
    return this;
  }

  withEmail(email: string): this {
    this.email = email;
    return this;
  }

  withOwner(ownerId: string = REP): this {
    this.owner = ownerId;
    return this;
  }

  withPhone(phone = "+14155550123"): this {
    this.phone = phone;
    return this;
  }

  withCompany(company = "Acme"): this {
    this.company = company;
    return this;
  }

  inCampaign(campaignId: string = CAMPAIGN): this {
    this.campaign = campaignId;
    return this;
  }

  withTags(...tags: string[]): this {
    this.tags = tags;
    return this;
  }

  /** The estimated value given at capture. */
  worth(amountMinor: number, currency = "USD"): this {
    this.value = Money.create({ amountMinor, currency });
    return this;
  }

  withActivities(count: number): this {
    for (let i = 0; i < count; i++) {
      const id = `activity-${++this.activities}`;
      this.steps.push((lead) => lead.logActivity({ id, type: "NOTE", summary: ActivitySummary.create("note"), occurredAt: null }, aChange()));
    }
    return this;
  }

  enrichedWith(profile: Partial<CompanyProfile> = {}): this {
    this.steps.push((lead) => lead.recordEnrichment(aProfile(profile), aChange()));
    return this;
  }

  contacted(): this {
    return this.then("CONTACTED", (lead) => lead.markContacted(aChange()));
  }

  /** Qualified at `amountMinor` USD; a lead without an owner gets REP first, as qualifying needs one. */
  qualified(amountMinor = 50_000): this {
    this.owner ??= REP;
    return this.then("QUALIFIED", (lead) => lead.qualify(Money.create({ amountMinor, currency: "USD" }), aChange()));
  }

  converted(): this {
    if (this.reached !== "QUALIFIED") this.qualified();
    return this.then("CONVERTED", (lead) => lead.convert(aChange()));
  }

  lost(reason = "No budget"): this {
    return this.then("LOST", (lead) => lead.markLost(LostReason.create(reason), aChange()));
  }

  reopened(): this {
    if (this.reached !== "LOST") this.lost();
    return this.then("NEW", (lead) => lead.reopen(aChange()));
  }

  /** Any status, reached the ordinary way, with an owner (so the lead could be qualified). */
  inStatus(status: LeadStatus): this {
    this.owner ??= REP;
    if (status === "CONTACTED") return this.contacted();
    if (status === "QUALIFIED") return this.qualified();
    if (status === "CONVERTED") return this.converted();
    if (status === "LOST") return this.lost();
    return this;
  }

  captureArgs(): CaptureArgs {
    return {
      id: this.id,
      tenantId: TENANT,
      name: LeadName.create(this.name),
      email: Email.create(this.email),
      phone: Phone.create(this.phone),
      company: CompanyName.create(this.company),
      source: this.source,
      campaignId: this.campaign,
      ownerId: this.owner,
      tags: TagSet.create(this.tags),
      estimatedValue: this.value,
    };
  }

  /** The lead, its history's events and activities already handed over: as a repository would load it. */
  build(): Lead {
    const lead = this.replay();
    lead.pullEvents();
    lead.pullNewActivities();
    return lead;
  }

  /** The lead as build() gives it, with the activities its history logged (as a repository would find them). */
  buildWithActivities(): { lead: Lead; activities: Activity[] } {
    const lead = this.replay();
    lead.pullEvents();
    return { lead, activities: lead.pullNewActivities() };
  }

  /** Every event the lead's history recorded, capture first. */
  events(): LeadEvent[] {
    return this.replay().pullEvents();
  }

  private then(status: LeadStatus, step: Step): this {
    this.steps.push(step);
    this.reached = status;
    return this;
  }

  private replay(): Lead {
    const lead = Lead.capture(this.captureArgs(), aChange());
    for (const step of this.steps) step(lead);
    return lead;
  }
}

export function aLead(): LeadBuilder {
  return new LeadBuilder();
}
