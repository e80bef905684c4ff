import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import { CompanyName } from "../../src/domain/lead/company-name";
import { Email } from "../../src/domain/lead/email";
import { Lead } from "../../src/domain/lead/lead";
import { LeadName } from "../../src/domain/lead/lead-name";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { Phone } from "../../src/domain/lead/phone";
import { Tag, TagSet } from "../../src/domain/lead/tag";
import { aChange, aLead, NOW, REP } from "./a-lead";

const summaryOf = (lead: Lead) => lead.pullEvents().map((event) => [event.name, event.version, event.payload]);

describe("the events a lead records", () => {
  it("capture records only LeadCaptured, carrying score, owner and tags", () => {
    const lead = Lead.capture(
      {
        id: "22222222-2222-4222-8222-222222222222",
        tenantId: "33333333-3333-4333-8333-333333333333",
        name: LeadName.create("Ada"),
        email: Email.create("ada@example.com"),
        phone: Phone.create("+14155550123"),
        company: CompanyName.create("Acme"),
        source: "REFERRAL",
        campaignId: null,
        ownerId: REP,
        tags: TagSet.create(["vip"]),
        estimatedValue: Money.create({ amountMinor: 100_000, currency: "usd" }),
      },
      aChange(),
    );
    const events = lead.pullEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      name: "LeadCaptured",
      version: 1,
      actorId: REP,
      occurredAt: NOW,
      leadId: lead.id,
      tenantId: "33333333-3333-4333-8333-333333333333",
      payload: { score: 60, ownerId: REP, tags: ["vip"], status: "NEW", email: "ada@example.com", estimatedValue: { amountMinor: 100_000, currency: "USD" } },
    });
    expect(lead.pullEvents()).toEqual([]);
  });

  it("a status change then the score change, sharing the new version", () => {
    const lead = aLead().withOwner().build();
    lead.qualify(Money.create({ amountMinor: 1_000_000, currency: "EUR" }), aChange());
    expect(summaryOf(lead)).toEqual([
      ["LeadStatusChanged", 2, { from: "NEW", to: "QUALIFIED", estimatedValue: { amountMinor: 1_000_000, currency: "EUR" } }],
      ["LeadScoreChanged", 2, { from: 20, to: 50 }],
    ]);
    lead.convert(aChange());
    expect(summaryOf(lead)).toEqual([
      ["LeadStatusChanged", 3, { from: "QUALIFIED", to: "CONVERTED" }],
      ["LeadScoreChanged", 3, { from: 50, to: 100 }],
    ]);
  });

  it("no score event when the score stays", () => {
    const lead = aLead().build();
    lead.markContacted(aChange());
    expect(summaryOf(lead)).toEqual([["LeadStatusChanged", 2, { from: "NEW", to: "CONTACTED" }]]);
  });

  it("losing carries the reason; reopening rescoring from zero", () => {
    const lead = aLead().build();
    lead.markLost(LostReason.create("No budget"), aChange());
    expect(summaryOf(lead)).toEqual([
      ["LeadStatusChanged", 2, { from: "NEW", to: "LOST", reason: "No budget" }],
      ["LeadScoreChanged", 2, { from: 20, to: 0 }],
    ]);
    lead.reopen(aChange());
    expect(summaryOf(lead)).toEqual([
      ["LeadStatusChanged", 3, { from: "LOST", to: "NEW" }],
      ["LeadScoreChanged", 3, { from: 0, to: 20 }],
    ]);
  });

  it("contact updates list each changed field with from and to", () => {
    const lead = aLead().build();
    lead.updateContact({ name: LeadName.create("Ada L."), phone: Phone.create("+14155550123"), email: Email.create("ada@example.com") }, aChange());
    expect(summaryOf(lead)).toEqual([
      ["LeadContactUpdated", 2, { name: { from: "Ada Lovelace", to: "Ada L." }, phone: { from: null, to: "+14155550123" } }],
      ["LeadScoreChanged", 2, { from: 20, to: 30 }],
    ]);
  });

  it("assignment, activity, tags, enrichment and deletion", () => {
    const lead = aLead().build();
    lead.assign(REP, aChange());
    const activity = lead.logActivity({ id: "act-1", type: "EMAIL", summary: ActivitySummary.create("sent deck"), occurredAt: null }, aChange());
    lead.tag([Tag.create("b"), Tag.create("a")], aChange());
    lead.untag([Tag.create("a")], aChange());
    const profile = { domain: "example.com", name: "Example Inc", employeeCount: 250, industry: "Software" };
    lead.recordEnrichment(profile, aChange());
    lead.markDeleted(aChange());
    expect(summaryOf(lead)).toEqual([
      ["LeadAssigned", 2, { from: null, to: REP }],
      ["LeadActivityLogged", 3, { activityId: activity.id, type: "EMAIL" }],
      ["LeadScoreChanged", 3, { from: 20, to: 25 }],
      ["LeadTagsChanged", 4, { added: ["b", "a"], removed: [] }],
      ["LeadTagsChanged", 5, { added: [], removed: ["a"] }],
      ["LeadEnriched", 6, profile],
      ["LeadScoreChanged", 6, { from: 25, to: 45 }],
      ["LeadDeleted", 7, {}],
    ]);
    expect(lead.state.company).toBe("Example Inc");
  });

  it("every event carries its own id and the change's actor and time", () => {
    const lead = aLead().withOwner().build();
    lead.qualify(Money.create({ amountMinor: 500_000, currency: "USD" }), aChange());
    const [status, scoreChange] = lead.pullEvents();
    expect(status.eventId).not.toBe(scoreChange.eventId);
    expect([status.actorId, status.occurredAt]).toEqual([REP, NOW]);
    expect(JSON.parse(JSON.stringify(status.payload))).toEqual(status.payload);
  });
});
