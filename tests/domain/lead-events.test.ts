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
import { aChange, aLead, later, LEAD_ID, NOW, OTHER_REP, REP, TENANT } from "./a-lead";

/** [name, version, payload] of each event recorded since the last pull. */
const eventsOf = (lead: Lead) => lead.pullEvents().map((event) => [event.name, event.version, event.payload]);
const CAMPAIGN = "55555555-5555-4555-8555-555555555555";

describe("capturing", () => {
  it("records only LeadCaptured, carrying the new lead's fields, score, owner and tags", () => {
    const lead = Lead.capture(
      {
        id: LEAD_ID,
        tenantId: TENANT,
        name: LeadName.create("Ada"),
        email: Email.create("Ada@Example.com"),
        phone: Phone.create("+1 415 555 0123"),
        company: CompanyName.create("Acme"),
        source: "REFERRAL",
        campaignId: CAMPAIGN,
        ownerId: REP,
        tags: TagSet.create(["vip", "VIP", "b2b"]),
        estimatedValue: Money.create({ amountMinor: 100_000, currency: "usd" }),
      },
      aChange(),
    );
    const events = lead.pullEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      eventId: expect.any(String),
      name: "LeadCaptured",
      tenantId: TENANT,
      leadId: LEAD_ID,
      version: 1,
      occurredAt: NOW,
      actorId: REP,
      payload: {
        id: LEAD_ID,
        name: "Ada",
        email: "ada@example.com",
        phone: "+14155550123",
        company: "Acme",
        source: "REFERRAL",
        status: "NEW",
        score: 60,
        estimatedValue: { amountMinor: 100_000, currency: "USD" },
        tags: ["vip", "b2b"],
        ownerId: REP,
        campaignId: CAMPAIGN,
        createdAt: "2026-11-24T10:00:00.000Z",
      },
    });
    expect(lead.pullEvents()).toEqual([]);
  });
});

describe("the events of each command", () => {
  it("updateContact: each changed field with from and to, then the score change", () => {
    const lead = aLead().withCompany("Acme").build();
    lead.updateContact(
      { name: LeadName.create("Ada L."), email: Email.create("ada@example.com"), phone: Phone.create("+14155550123"), company: null },
      later(),
    );
    expect(eventsOf(lead)).toEqual([
      ["LeadContactUpdated", 2, { name: { from: "Ada Lovelace", to: "Ada L." }, phone: { from: null, to: "+14155550123" }, company: { from: "Acme", to: null } }],
    ]);
    lead.updateContact({ email: Email.create("ada@lovelace.org") }, later());
    expect(eventsOf(lead)).toEqual([["LeadContactUpdated", 3, { email: { from: "ada@example.com", to: "ada@lovelace.org" } }]]);
    lead.updateContact({ phone: null }, later());
    expect(eventsOf(lead)).toEqual([
      ["LeadContactUpdated", 4, { phone: { from: "+14155550123", to: null } }],
      ["LeadScoreChanged", 4, { from: 30, to: 20 }],
    ]);
  });

  it("assign: from and to", () => {
    const lead = aLead().build();
    lead.assign(REP, later());
    lead.assign(OTHER_REP, later());
    expect(eventsOf(lead)).toEqual([
      ["LeadAssigned", 2, { from: null, to: REP }],
      ["LeadAssigned", 3, { from: REP, to: OTHER_REP }],
    ]);
  });

  it("markContacted: the status change alone when the score stays", () => {
    const lead = aLead().build();
    lead.markContacted(later());
    expect(eventsOf(lead)).toEqual([["LeadStatusChanged", 2, { from: "NEW", to: "CONTACTED" }]]);
  });

  it("qualify: the status change with the value, then the score change, sharing the new version", () => {
    const lead = aLead().withOwner().contacted().build();
    lead.qualify(Money.create({ amountMinor: 1_000_000, currency: "eur" }), later());
    expect(eventsOf(lead)).toEqual([
      ["LeadStatusChanged", 3, { from: "CONTACTED", to: "QUALIFIED" }],
      ["LeadScoreChanged", 3, { from: 20, to: 50 }],
    ]);
  });

  it("convert: the status change, then the score going to 100", () => {
    const lead = aLead().qualified(1_000_000).build();
    lead.convert(later());
    expect(eventsOf(lead)).toEqual([
      ["LeadStatusChanged", 3, { from: "QUALIFIED", to: "CONVERTED" }],
      ["LeadScoreChanged", 3, { from: 50, to: 100 }],
    ]);
  });

  it("markLost: the status change with the reason, then the score going to 0", () => {
    const lead = aLead().build();
    lead.markLost(LostReason.create(" No budget "), later());
    expect(eventsOf(lead)).toEqual([
      ["LeadStatusChanged", 2, { from: "NEW", to: "LOST", reason: "No budget" }],
      ["LeadScoreChanged", 2, { from: 20, to: 0 }],
    ]);
  });

  it("reopen: the status change, then the score coming back", () => {
    const lead = aLead().lost().build();
    lead.reopen(later());
    expect(eventsOf(lead)).toEqual([
      ["LeadStatusChanged", 3, { from: "LOST", to: "NEW" }],
      ["LeadScoreChanged", 3, { from: 0, to: 20 }],
    ]);
  });

  it("logActivity: the activity's id and type, then the score change while under the cap", () => {
    const lead = aLead().withActivities(4).build();
    const fifth = lead.logActivity({ id: "act-5", type: "EMAIL", summary: ActivitySummary.create("sent deck"), occurredAt: null }, later());
    const sixth = lead.logActivity({ id: "act-6", type: "MEETING", summary: ActivitySummary.create("demo"), occurredAt: null }, later());
    expect(eventsOf(lead)).toEqual([
      ["LeadActivityLogged", 6, { activityId: fifth.id, type: "EMAIL" }],
      ["LeadScoreChanged", 6, { from: 40, to: 45 }],
      ["LeadActivityLogged", 7, { activityId: sixth.id, type: "MEETING" }],
    ]);
  });

  it("tag and untag: what was added and what was removed", () => {
    const lead = aLead().withTags("a").build();
    lead.tag([Tag.create("B"), Tag.create("a"), Tag.create("c")], later());
    lead.untag([Tag.create("a"), Tag.create("zzz")], later());
    expect(eventsOf(lead)).toEqual([
      ["LeadTagsChanged", 2, { added: ["b", "c"], removed: [] }],
      ["LeadTagsChanged", 3, { added: [], removed: ["a"] }],
    ]);
  });

  it("recordEnrichment: the company profile, then the score change", () => {
    const lead = aLead().build();
    const profile = { domain: "example.com", name: "Example Inc", employeeCount: 250, industry: "Software" };
    lead.recordEnrichment(profile, later());
    expect(eventsOf(lead)).toEqual([
      ["LeadEnriched", 2, profile],
      ["LeadScoreChanged", 2, { from: 20, to: 40 }],
    ]);
  });

  it("markDeleted: an empty LeadDeleted one version past the last", () => {
    const lead = aLead().contacted().build();
    lead.markDeleted(later());
    expect(eventsOf(lead)).toEqual([["LeadDeleted", 3, {}]]);
  });
});

describe("every event", () => {
  it("takes its own id from the change, and the change's actor and time", () => {
    const lead = aLead().withOwner().build();
    const ids = ["first-id", "second-id"];
    lead.qualify(Money.create({ amountMinor: 500_000, currency: "USD" }), { actorId: OTHER_REP, now: later(3).now, newEventId: () => ids.shift()! });
    expect(lead.pullEvents()).toEqual([
      expect.objectContaining({ eventId: "first-id", name: "LeadStatusChanged", actorId: OTHER_REP, occurredAt: later(3).now, tenantId: TENANT, leadId: LEAD_ID }),
      expect.objectContaining({ eventId: "second-id", name: "LeadScoreChanged", actorId: OTHER_REP, occurredAt: later(3).now, tenantId: TENANT, leadId: LEAD_ID }),
    ]);
  });

  it("may come from the system, with no actor", () => {
    const lead = aLead().build();
    lead.recordEnrichment({ domain: "example.com", name: null, employeeCount: null, industry: null }, aChange(NOW, null));
    expect(lead.pullEvents()[0].actorId).toBeNull();
  });

  it("carries a payload of plain JSON data", () => {
    const lead = aLead().withOwner().build();
    lead.updateContact({ phone: Phone.create("+14155550123") }, later());
    lead.qualify(Money.create({ amountMinor: 500_000, currency: "USD" }), later());
    lead.logActivity({ id: "a", type: "CALL", summary: ActivitySummary.create("call"), occurredAt: new Date("2026-01-01T00:00:00Z") }, later());
    lead.tag([Tag.create("x")], later());
    lead.recordEnrichment({ domain: "example.com", name: "Example", employeeCount: 3, industry: "Retail" }, later());
    lead.markLost(LostReason.create("gone"), later());
    lead.markDeleted(later());
    const events = lead.pullEvents();
    expect(events.length).toBeGreaterThan(7);
    for (const event of events) expect(JSON.parse(JSON.stringify(event.payload)), event.name).toEqual(event.payload);
  });

  it("is handed over once", () => {
    const lead = aLead().build();
    lead.markContacted(later());
    expect(lead.pullEvents()).toHaveLength(1);
    expect(lead.pullEvents()).toEqual([]);
  });
});
