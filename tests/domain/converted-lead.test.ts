import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import type { Lead } from "../../src/domain/lead/lead";
import { LeadName } from "../../src/domain/lead/lead-name";
import type { LeadStatus } from "../../src/domain/lead/lead-status";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { Tag } from "../../src/domain/lead/tag";
import { InvalidTransitionError } from "../../src/domain/shared/domain-error";
import { aLead, errorOf, later, OTHER_REP, REP } from "./a-lead";

const converted = () => aLead().withTags("won").converted().build();

/** Each refused command and the status it would have led to ("CONVERTED" when it is not a status change). */
const refusedOnAClosedLead: [string, LeadStatus, (lead: Lead) => void][] = [
  ["updateContact", "CONVERTED", (lead) => lead.updateContact({ name: LeadName.create("Other") }, later())],
  ["updateContact clearing the phone", "CONVERTED", (lead) => lead.updateContact({ phone: null }, later())],
  ["assign", "CONVERTED", (lead) => lead.assign(OTHER_REP, later())],
  ["assign to the same owner", "CONVERTED", (lead) => lead.assign(REP, later())],
  ["markContacted", "CONTACTED", (lead) => lead.markContacted(later())],
  ["qualify", "QUALIFIED", (lead) => lead.qualify(Money.create({ amountMinor: 5, currency: "USD" }), later())],
  ["convert", "CONVERTED", (lead) => lead.convert(later())],
  ["markLost", "LOST", (lead) => lead.markLost(LostReason.create("changed their mind"), later())],
  ["reopen", "NEW", (lead) => lead.reopen(later())],
];

describe("a converted lead is closed", () => {
  for (const [command, to, run] of refusedOnAClosedLead) {
    it(`refuses ${command} as an invalid transition from CONVERTED to ${to}, changing nothing`, () => {
      const lead = converted();
      const before = lead.state;
      const error = errorOf(() => run(lead));
      expect(error).toBeInstanceOf(InvalidTransitionError);
      expect(error).toMatchObject({ code: "INVALID_TRANSITION", details: { from: "CONVERTED", to } });
      expect((error as Error).message).toMatch(/^The lead is converted and closed: /);
      expect(lead.state).toEqual(before);
      expect(lead.pullEvents()).toEqual([]);
    });
  }

  it("still takes activities", () => {
    const lead = converted();
    lead.logActivity({ id: "a1", type: "MEETING", summary: ActivitySummary.create("kickoff"), occurredAt: null }, later());
    expect(lead.state).toMatchObject({ status: "CONVERTED", activityCount: 1, score: 100 });
    expect(lead.pullEvents().map((event) => event.name)).toEqual(["LeadActivityLogged"]);
  });

  it("still takes and drops tags", () => {
    const lead = converted();
    lead.tag([Tag.create("renewal")], later());
    lead.untag([Tag.create("won")], later());
    expect(lead.state.tags).toEqual(["renewal"]);
    expect(lead.pullEvents().map((event) => event.name)).toEqual(["LeadTagsChanged", "LeadTagsChanged"]);
  });

  it("still takes company enrichment, which is data and not a status change", () => {
    const lead = converted();
    lead.recordEnrichment({ domain: "example.com", name: "Example", employeeCount: 900, industry: null }, later());
    expect(lead.state).toMatchObject({ status: "CONVERTED", company: "Example", score: 100 });
    expect(lead.pullEvents().map((event) => event.name)).toEqual(["LeadEnriched"]);
  });

  it("can still be erased", () => {
    const lead = converted();
    const version = lead.version;
    lead.markDeleted(later());
    expect(lead.pullEvents()).toMatchObject([{ name: "LeadDeleted", version: version + 1 }]);
  });
});
