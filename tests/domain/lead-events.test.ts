import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import { Email } from "../../src/domain/lead/email";
import type { LeadEvent } from "../../src/domain/lead/events";
import { Lead, type Change } from "../../src/domain/lead/lead";
import { LeadName } from "../../src/domain/lead/lead-name";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { Phone } from "../../src/domain/lead/phone";
import { Tag } from "../../src/domain/lead/tag";
import { aChange, aLead, aProfile, CAMPAIGN, eventsOf, later, LEAD_ID, minutesAfterNow, NOW, OTHER_REP, REP, TENANT } from "./lead-builder";

const usd = (amountMinor: number) => Money.create({ amountMinor, currency: "USD" });
const note = (id: string, type: "NOTE" | "CALL" | "EMAIL" | "MEETING" = "NOTE") => ({ id, type, summary: ActivitySummary.create("n"), occurredAt: null });

/** A change whose event ids are handed out from a list, to see which event took which id. */
function changeWithIds(ids: string[], actorId: string | null = OTHER_REP, now = minutesAfterNow(3)): Change {
  const remaining = [...ids];
  return { actorId, now, newEventId: () => remaining.shift() ?? "no-id-left" };
}

describe("capturing", () => {
  it("records only LeadCaptured, carrying the new lead's fields, its score, owner and tags", () => {
    const lead = Lead.capture(
      aLead()
        .named(" Ada ")
        .withEmail("Ada@Example.com")
        .withPhone("+1 415 555 0123")
        .withCompany("Acme")
        .withSource("REFERRAL")
        .inCampaign(CAMPAIGN)
        .withOwner(REP)
        .withTags("vip", "VIP", "b2b")
        .worth(100_000, "usd")
        .captureArgs(),
      changeWithIds(["captured-id"], REP, NOW),
    );
    expect(lead.pullEvents()).toEqual([
      {
        eventId: "captured-id",
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
          score: 60, // 30 + phone 10 + company 10 + value 10
          estimatedValue: { amountMinor: 100_000, currency: "USD" },
          tags: ["vip", "b2b"],
          ownerId: REP,
          campaignId: CAMPAIGN,
          createdAt: "2026-11-24T10:00:00.000Z",
        },
      },
    ]);
  });

  it("carries no owner, phone, company, value or campaign when there are none", () => {
    const [captured] = aLead().events();
    expect(captured.payload).toMatchObject({ phone: null, company: null, estimatedValue: null, tags: [], ownerId: null, campaignId: null, score: 20 });
  });

  it("is the only time LeadCaptured is recorded, and no score change comes with it", () => {
    const history = aLead().withPhone().withTags("a").withActivities(2).enrichedWith().contacted().qualified().converted().events();
    expect(history.filter((event) => event.name === "LeadCaptured")).toHaveLength(1);
    expect(history[0].name).toBe("LeadCaptured");
    expect(history.filter((event) => event.version === 1).map((event) => event.name)).toEqual(["LeadCaptured"]);
  });
});

describe("the events of each command, in order: the change, then LeadStatusChanged, then LeadScoreChanged", () => {
  it("updateContact: LeadContactUpdated with {from, to} for each changed field only", () => {
    const lead = aLead().withCompany("Acme").build();
    lead.updateContact(
      { name: LeadName.create("Ada L."), email: Email.create("ada@example.com"), phone: Phone.create("+14155550123"), company: null },
      later(),
    );
    expect(eventsOf(lead)).toEqual([
      ["LeadContactUpdated", 2, { name: { from: "Ada Lovelace", to: "Ada L." }, phone: { from: null, to: "+14155550123" }, company: { from: "Acme", to: null } }],
    ]); // +10 phone -10 company: the score stays, so no LeadScoreChanged
    lead.updateContact({ email: Email.create("ada@lovelace.org") }, later());
    expect(eventsOf(lead)).toEqual([["LeadContactUpdated", 3, { email: { from: "ada@example.com", to: "ada@lovelace.org" } }]]);
  });

  it("updateContact that moves the score: the change, then LeadScoreChanged, sharing the version", () => {
    const lead = aLead().withPhone().build();
    lead.updateContact({ phone: null }, later());
    expect(eventsOf(lead)).toEqual([
      ["LeadContactUpdated", 2, { phone: { from: "+14155550123", to: null } }],
      ["LeadScoreChanged", 2, { from: 30, to: 20 }],
    ]);
  });

  it("assign: LeadAssigned {from, to}", () => {
    const lead = aLead().build();
    lead.assign(REP, later());
    lead.assign(OTHER_REP, later());
    expect(eventsOf(lead)).toEqual([
      ["LeadAssigned", 2, { from: null, to: REP }],
      ["LeadAssigned", 3, { from: REP, to: OTHER_REP }],
    ]);
  });

  it("markContacted: LeadStatusChanged {from, to} alone, as the score stays", () => {
    const lead = aLead().build();
    lead.markContacted(later());
    expect(eventsOf(lead)).toEqual([["LeadStatusChanged", 2, { from: "NEW", to: "CONTACTED" }]]);
  });

  it("qualify: LeadStatusChanged {from, to}, then LeadScoreChanged, sharing the new version", () => {
    const lead = aLead().withOwner().contacted().build();
    lead.qualify(Money.create({ amountMinor: 1_000_000, currency: "eur" }), later());
    expect(eventsOf(lead)).toEqual([
      ["LeadStatusChanged", 3, { from: "CONTACTED", to: "QUALIFIED" }],
      ["LeadScoreChanged", 3, { from: 20, to: 50 }],
    ]);
  });

  it("convert: LeadStatusChanged, then LeadScoreChanged to 100", () => {
    const lead = aLead().qualified(1_000_000).build();
    lead.convert(later());
    expect(eventsOf(lead)).toEqual([
      ["LeadStatusChanged", 3, { from: "QUALIFIED", to: "CONVERTED" }],
      ["LeadScoreChanged", 3, { from: 50, to: 100 }],
    ]);
  });

  it("markLost: LeadStatusChanged with the reason, then LeadScoreChanged to 0", () => {
    const lead = aLead().build();
    lead.markLost(LostReason.create(" No budget "), later());
    expect(eventsOf(lead)).toEqual([
      ["LeadStatusChanged", 2, { from: "NEW", to: "LOST", reason: "No budget" }],
      ["LeadScoreChanged", 2, { from: 20, to: 0 }],
    ]);
  });

  it("reopen: LeadStatusChanged {from, to} without a reason, then the score coming back", () => {
    const lead = aLead().lost().build();
    lead.reopen(later());
    expect(eventsOf(lead)).toEqual([
      ["LeadStatusChanged", 3, { from: "LOST", to: "NEW" }],
      ["LeadScoreChanged", 3, { from: 0, to: 20 }],
    ]);
  });

  it("logActivity: LeadActivityLogged {activityId, type}, then LeadScoreChanged only while under the cap", () => {
    const lead = aLead().withActivities(4).build();
    const fifth = lead.logActivity(note("act-5", "EMAIL"), later());
    const sixth = lead.logActivity(note("act-6", "MEETING"), later());
    expect(eventsOf(lead)).toEqual([
      ["LeadActivityLogged", 6, { activityId: fifth.id, type: "EMAIL" }],
      ["LeadScoreChanged", 6, { from: 40, to: 45 }],
      ["LeadActivityLogged", 7, { activityId: sixth.id, type: "MEETING" }],
    ]);
  });

  it("tag and untag: LeadTagsChanged {added, removed} listing only real changes", () => {
    const lead = aLead().withTags("a").build();
    lead.tag([Tag.create("B"), Tag.create("a"), Tag.create("c")], later());
    lead.untag([Tag.create("a"), Tag.create("zzz")], later());
    expect(eventsOf(lead)).toEqual([
      ["LeadTagsChanged", 2, { added: ["b", "c"], removed: [] }],
      ["LeadTagsChanged", 3, { added: [], removed: ["a"] }],
    ]);
  });

  it("recordEnrichment: LeadEnriched with the company profile, then the score change; the empty company is filled", () => {
    const lead = aLead().build();
    const profile = aProfile({ name: "Example Inc", employeeCount: 250, industry: "Software" });
    lead.recordEnrichment(profile, later());
    expect(eventsOf(lead)).toEqual([
      ["LeadEnriched", 2, { domain: "example.com", name: "Example Inc", employeeCount: 250, industry: "Software" }],
      ["LeadScoreChanged", 2, { from: 20, to: 40 }], // company 10 + size 10
    ]);
    expect(lead.state.company).toBe("Example Inc");
  });

  it("recordEnrichment on a lead with a company: the profile, and the company stays", () => {
    const lead = aLead().withCompany("Acme").build();
    lead.recordEnrichment(aProfile({ employeeCount: 10 }), later());
    expect(eventsOf(lead)).toEqual([["LeadEnriched", 2, aProfile({ employeeCount: 10 })]]);
    expect(lead.state.company).toBe("Acme");
  });

  it("markDeleted: an empty LeadDeleted one version past the last, nothing else", () => {
    const lead = aLead().contacted().build();
    lead.markDeleted(later());
    expect(eventsOf(lead)).toEqual([["LeadDeleted", 3, {}]]);
  });
});

describe("every event", () => {
  it("takes its id, actor and time from the change, one id per event", () => {
    const lead = aLead().withOwner().build();
    lead.qualify(usd(500_000), changeWithIds(["first-id", "second-id"]));
    const events = lead.pullEvents();
    expect(events).toEqual([
      { eventId: "first-id", name: "LeadStatusChanged", tenantId: TENANT, leadId: LEAD_ID, version: 2, occurredAt: minutesAfterNow(3), actorId: OTHER_REP, payload: { from: "NEW", to: "QUALIFIED" } },
      { eventId: "second-id", name: "LeadScoreChanged", tenantId: TENANT, leadId: LEAD_ID, version: 2, occurredAt: minutesAfterNow(3), actorId: OTHER_REP, payload: { from: 20, to: 40 } },
    ]);
  });

  it("may come from the system, with no actor", () => {
    const lead = aLead().build();
    lead.recordEnrichment(aProfile(), aChange(NOW, null));
    expect(lead.pullEvents().map((event) => event.actorId)).toEqual([null, null]);
  });

  it("of one command shares the lead's new version; each command moves it by one", () => {
    const history = aLead().withPhone().withActivities(2).qualified(1_000_000).converted().events();
    const versions = [...new Set(history.map((event) => event.version))];
    expect(versions).toEqual([1, 2, 3, 4, 5]);
    const byVersion = (version: number) => history.filter((event) => event.version === version).map((event) => event.name);
    expect(byVersion(4)).toEqual(["LeadStatusChanged", "LeadScoreChanged"]);
    expect(byVersion(5)).toEqual(["LeadStatusChanged", "LeadScoreChanged"]);
  });

  it("has its own id", () => {
    const history: LeadEvent[] = aLead().withPhone().withTags("a").withActivities(3).enrichedWith().qualified().converted().events();
    expect(new Set(history.map((event) => event.eventId)).size).toBe(history.length);
  });

  it("carries a payload of plain JSON data", () => {
    const lead = aLead().withOwner().build();
    lead.updateContact({ phone: Phone.create("+14155550123") }, later());
    lead.qualify(usd(500_000), later());
    lead.logActivity({ ...note("a", "CALL"), occurredAt: new Date("2026-01-01T00:00:00Z") }, later());
    lead.tag([Tag.create("x")], later());
    lead.recordEnrichment(aProfile({ employeeCount: 3 }), later());
    lead.markLost(LostReason.create("gone"), later());
    lead.markDeleted(later());
    const events = lead.pullEvents();
    expect(events.length).toBeGreaterThan(7);
    for (const event of events) expect(JSON.parse(JSON.stringify(event.payload)), event.name).toEqual(event.payload);
  });

  it("is handed over once by pullEvents()", () => {
    const lead = aLead().build();
    lead.markContacted(later());
    lead.assign(REP, later());
    expect(lead.pullEvents().map((event) => event.name)).toEqual(["LeadStatusChanged", "LeadAssigned"]);
    expect(lead.pullEvents()).toEqual([]);
    lead.assign(OTHER_REP, later());
    expect(lead.pullEvents().map((event) => event.name)).toEqual(["LeadAssigned"]);
  });

  it("is not recorded by a refused command", () => {
    const lead = aLead().build();
    expect(() => lead.convert(later())).toThrow();
    expect(() => lead.logActivity({ ...note("late"), occurredAt: minutesAfterNow(10) }, aChange())).toThrow();
    expect(lead.pullEvents()).toEqual([]);
  });
});
