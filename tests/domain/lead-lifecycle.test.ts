import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import type { Lead } from "../../src/domain/lead/lead";
import { LEAD_STATUSES, type LeadStatus } from "../../src/domain/lead/lead-status";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { Phone } from "../../src/domain/lead/phone";
import { Tag } from "../../src/domain/lead/tag";
import { LeadName } from "../../src/domain/lead/lead-name";
import { InvalidTransitionError, ValidationError } from "../../src/domain/shared/domain-error";
import { aChange, aLead, NOW, REP } from "./a-lead";

/** A lead in the given status, with an owner so qualifying is possible. */
function leadIn(status: LeadStatus): Lead {
  const builder = aLead().withOwner();
  if (status === "CONTACTED") builder.contacted();
  if (status === "QUALIFIED") builder.qualified();
  if (status === "CONVERTED") builder.converted();
  if (status === "LOST") builder.lost();
  return builder.build();
}

const moves: Record<string, { to: LeadStatus; run: (lead: Lead) => void }> = {
  markContacted: { to: "CONTACTED", run: (lead) => lead.markContacted(aChange()) },
  qualify: { to: "QUALIFIED", run: (lead) => lead.qualify(Money.create({ amountMinor: 100, currency: "USD" }), aChange()) },
  convert: { to: "CONVERTED", run: (lead) => lead.convert(aChange()) },
  markLost: { to: "LOST", run: (lead) => lead.markLost(LostReason.create("gone"), aChange()) },
  reopen: { to: "NEW", run: (lead) => lead.reopen(aChange()) },
};

const allowed: Record<LeadStatus, string[]> = {
  NEW: ["markContacted", "qualify", "markLost"],
  CONTACTED: ["qualify", "markLost"],
  QUALIFIED: ["convert", "markLost"],
  CONVERTED: [],
  LOST: ["reopen"],
};

describe("the status state machine", () => {
  for (const from of LEAD_STATUSES) {
    for (const [command, move] of Object.entries(moves)) {
      if (allowed[from].includes(command)) {
        it(`${command} takes a ${from} lead to ${move.to}, one version up`, () => {
          const lead = leadIn(from);
          const version = lead.version;
          move.run(lead);
          expect(lead.status).toBe(move.to);
          expect(lead.version).toBe(version + 1);
        });
      } else {
        it(`${command} on a ${from} lead is an invalid transition that changes nothing`, () => {
          const lead = leadIn(from);
          const before = lead.state;
          let error: unknown;
          try {
            move.run(lead);
          } catch (caught) {
            error = caught;
          }
          expect(error).toBeInstanceOf(InvalidTransitionError);
          expect((error as InvalidTransitionError).details).toEqual({ from, to: move.to });
          expect(lead.state).toEqual(before);
          expect(lead.pullEvents()).toEqual([]);
        });
      }
    }
  }

  it("qualify needs an owner", () => {
    const lead = aLead().build();
    expect(() => lead.qualify(Money.create({ amountMinor: 100, currency: "USD" }), aChange())).toThrow(InvalidTransitionError);
    expect(lead.status).toBe("NEW");
  });

  it("qualify needs an estimated value above zero", () => {
    const lead = aLead().withOwner().build();
    expect(() => lead.qualify(Money.create({ amountMinor: 0, currency: "USD" }), aChange())).toThrow(ValidationError);
  });

  it("convert sets convertedAt; reopen clears the lost reason", () => {
    const won = aLead().qualified().build();
    won.convert(aChange(new Date("2026-12-01T00:00:00.000Z")));
    expect(won.state.convertedAt).toEqual(new Date("2026-12-01T00:00:00.000Z"));
    const lost = aLead().lost("No budget").build();
    expect(lost.state.lostReason).toBe("No budget");
    lost.reopen(aChange());
    expect(lost.state).toMatchObject({ status: "NEW", lostReason: null });
  });
});

describe("a converted lead is closed", () => {
  const closedTo: Record<string, (lead: Lead) => void> = {
    updateContact: (lead) => lead.updateContact({ name: LeadName.create("Other") }, aChange()),
    assign: (lead) => lead.assign("44444444-4444-4444-8444-444444444444", aChange()),
  };
  for (const [command, run] of Object.entries(closedTo)) {
    it(`refuses ${command} with INVALID_TRANSITION`, () => {
      const lead = leadIn("CONVERTED");
      expect(() => run(lead)).toThrow(InvalidTransitionError);
    });
  }

  it("still takes activities, tags, enrichment and erasure", () => {
    const lead = leadIn("CONVERTED");
    lead.logActivity({ id: "a1", type: "MEETING", summary: ActivitySummary.create("kickoff"), occurredAt: null }, aChange());
    lead.tag([Tag.create("won")], aChange());
    lead.untag([Tag.create("won")], aChange());
    lead.recordEnrichment({ domain: "example.com", name: "Example", employeeCount: 10, industry: null }, aChange());
    lead.markDeleted(aChange());
    expect(lead.status).toBe("CONVERTED");
    expect(lead.pullEvents().map((event) => event.name)).toEqual([
      "LeadActivityLogged",
      "LeadTagsChanged",
      "LeadTagsChanged",
      "LeadEnriched",
      "LeadDeleted",
    ]);
  });
});

describe("changes that change nothing", () => {
  it("record no event and keep version and updatedAt", () => {
    const lead = aLead().withOwner(REP).withPhone().build();
    lead.tag([Tag.create("vip")], aChange());
    lead.recordEnrichment({ domain: "example.com", name: null, employeeCount: null, industry: null }, aChange());
    lead.pullEvents();
    const before = lead.state;
    const later = aChange(new Date(NOW.getTime() + 60_000));
    lead.assign(REP, later);
    lead.updateContact({ name: LeadName.create("Ada Lovelace"), phone: Phone.create("+1 415 555 0123") }, later);
    lead.tag([Tag.create("VIP")], later);
    lead.untag([Tag.create("absent")], later);
    lead.recordEnrichment({ domain: "example.com", name: null, employeeCount: null, industry: null }, later);
    expect(lead.pullEvents()).toEqual([]);
    expect(lead.state).toEqual(before);
  });
});

describe("contact data", () => {
  it("null clears phone and company; omitted fields stay", () => {
    const lead = aLead().withPhone().withCompany().build();
    lead.updateContact({ phone: null, company: null }, aChange());
    expect(lead.state).toMatchObject({ phone: null, company: null, name: "Ada Lovelace", email: "ada@example.com", version: 2 });
  });
});

describe("activities", () => {
  const summary = ActivitySummary.create("call");
  it("may be dated up to 5 minutes into the future, not more", () => {
    const lead = aLead().build();
    const fiveMinutes = new Date(NOW.getTime() + 5 * 60_000);
    expect(lead.logActivity({ id: "a1", type: "CALL", summary, occurredAt: fiveMinutes }, aChange()).occurredAt).toEqual(fiveMinutes);
    let error: unknown;
    try {
      lead.logActivity({ id: "a2", type: "CALL", summary, occurredAt: new Date(fiveMinutes.getTime() + 1) }, aChange());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.field).toBe("occurredAt");
  });

  it("default to now, count toward the lead and are handed to the repository once", () => {
    const lead = aLead().build();
    const activity = lead.logActivity({ id: "a1", type: "NOTE", summary, occurredAt: null }, aChange());
    expect(activity).toMatchObject({ occurredAt: NOW, actorId: REP, leadId: lead.id });
    expect(lead.state.activityCount).toBe(1);
    expect(lead.pullNewActivities()).toEqual([activity]);
    expect(lead.pullNewActivities()).toEqual([]);
  });
});
