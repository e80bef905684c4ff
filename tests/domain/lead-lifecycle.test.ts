import { describe, expect, it } from "vitest";
import { Lead } from "../../src/domain/lead/lead";
import { LEAD_STATUSES, type LeadStatus } from "../../src/domain/lead/lead-status";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { InvalidTransitionError } from "../../src/domain/shared/domain-error";
import { aChange, aLead, errorOf, later, NOW } from "./a-lead";
import { refused } from "./refused";

const leadIn = (status: LeadStatus) => aLead().inStatus(status).build();

const moves: Record<string, { to: LeadStatus; run: (lead: Lead) => void }> = {
  markContacted: { to: "CONTACTED", run: (lead) => lead.markContacted(later()) },
  qualify: { to: "QUALIFIED", run: (lead) => lead.qualify(Money.create({ amountMinor: 100, currency: "USD" }), later()) },
  convert: { to: "CONVERTED", run: (lead) => lead.convert(later()) },
  markLost: { to: "LOST", run: (lead) => lead.markLost(LostReason.create("gone"), later()) },
  reopen: { to: "NEW", run: (lead) => lead.reopen(later()) },
};

const allowed: Record<LeadStatus, string[]> = {
  NEW: ["markContacted", "qualify", "markLost"],
  CONTACTED: ["qualify", "markLost"],
  QUALIFIED: ["convert", "markLost"],
  CONVERTED: [],
  LOST: ["reopen"],
};

describe("status commands", () => {
  for (const from of LEAD_STATUSES) {
    for (const [command, move] of Object.entries(moves)) {
      if (allowed[from].includes(command)) {
        it(`${command} takes a ${from} lead to ${move.to}, one version up, updated now`, () => {
          const lead = leadIn(from);
          const version = lead.version;
          move.run(lead);
          expect(lead.status).toBe(move.to);
          expect(lead.version).toBe(version + 1);
          expect(lead.state.updatedAt).toEqual(later().now);
        });
      } else {
        it(`${command} on a ${from} lead is an invalid transition that changes nothing`, () => {
          const lead = leadIn(from);
          const before = lead.state;
          const error = errorOf(() => move.run(lead));
          expect(error).toBeInstanceOf(InvalidTransitionError);
          expect((error as InvalidTransitionError).details).toEqual({ from, to: move.to });
          expect(lead.state).toEqual(before);
          expect(lead.pullEvents()).toEqual([]);
        });
      }
    }
  }
});

describe("qualifying", () => {
  const worth = (amountMinor: number) => Money.create({ amountMinor, currency: "EUR" });

  it("needs an owner", () => {
    const lead = aLead().build();
    const error = errorOf(() => lead.qualify(worth(100), aChange()));
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect((error as InvalidTransitionError).details).toEqual({ from: "NEW", to: "QUALIFIED" });
    expect((error as Error).message).toBe("A lead needs an owner before it can be qualified");
    expect(lead.status).toBe("NEW");
  });

  it("needs an estimated value above zero", () => {
    const lead = aLead().withOwner().build();
    refused(() => lead.qualify(worth(0), aChange()), "estimatedValue.amountMinor");
    expect(lead.state).toMatchObject({ status: "NEW", version: 1, estimatedValue: null });
    lead.qualify(worth(1), aChange());
    expect(lead.status).toBe("QUALIFIED");
  });

  it("can check the value before any lead is loaded", () => {
    refused(() => Lead.assertQualifyingValue(worth(0)), "estimatedValue.amountMinor");
    expect(() => Lead.assertQualifyingValue(worth(1))).not.toThrow();
  });

  it("checks the transition before the command's own rules", () => {
    const lost = aLead().lost().build();
    expect(errorOf(() => lost.qualify(worth(0), aChange()))).toBeInstanceOf(InvalidTransitionError);
  });

  it("records the estimated value, replacing the one captured", () => {
    const lead = aLead().withOwner().worth(10, "USD").build();
    lead.qualify(worth(250_000), aChange());
    expect(lead.state.estimatedValue).toEqual({ amountMinor: 250_000, currency: "EUR" });
  });
});

describe("converting, losing and reopening", () => {
  it("converting sets convertedAt", () => {
    const won = aLead().qualified().build();
    expect(won.state.convertedAt).toBeNull();
    won.convert(later(5));
    expect(won.state.convertedAt).toEqual(later(5).now);
  });

  it("losing keeps the reason; reopening clears it", () => {
    const lost = aLead().lost("No budget").build();
    expect(lost.state.lostReason).toBe("No budget");
    lost.reopen(aChange());
    expect(lost.state).toMatchObject({ status: "NEW", lostReason: null });
  });

  it("a reopened lead can go round again", () => {
    const lead = aLead().withOwner().lost().build();
    lead.reopen(aChange());
    lead.markContacted(aChange());
    lead.qualify(Money.create({ amountMinor: 1, currency: "USD" }), aChange());
    lead.convert(aChange());
    expect(lead.state).toMatchObject({ status: "CONVERTED", version: 6 });
  });
});
