import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import { CompanyName } from "../../src/domain/lead/company-name";
import { Email } from "../../src/domain/lead/email";
import { Lead, type LeadState } from "../../src/domain/lead/lead";
import { LeadName } from "../../src/domain/lead/lead-name";
import { ACTIVITY_TYPES, LEAD_STATUSES, type LeadStatus } from "../../src/domain/lead/lead-status";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { Phone } from "../../src/domain/lead/phone";
import { Tag } from "../../src/domain/lead/tag";
import { aChange, aLead, aProfile, eventNamesOf, later, LEAD_ID, minutesAfterNow, NOW, OTHER_REP, REP, TENANT } from "./lead-builder";
import { refused, refusedTransition } from "./refused";

const usd = (amountMinor: number) => Money.create({ amountMinor, currency: "USD" });
const summary = ActivitySummary.create("Called, left a message");
const numberedTags = (count: number) => Array.from({ length: count }, (_, i) => `t${i}`);

/** Asserts the command left the lead exactly as it was: same state (version and updatedAt included), no events. */
function expectUntouched(lead: Lead, before: Readonly<LeadState>) {
  expect(lead.state).toEqual(before);
  expect(lead.pullEvents()).toEqual([]);
}

describe("the lead's life: every status command from every status", () => {
  const commands: Record<string, { to: LeadStatus; run: (lead: Lead) => void }> = {
    markContacted: { to: "CONTACTED", run: (lead) => lead.markContacted(later()) },
    qualify: { to: "QUALIFIED", run: (lead) => lead.qualify(usd(100), later()) },
    convert: { to: "CONVERTED", run: (lead) => lead.convert(later()) },
    markLost: { to: "LOST", run: (lead) => lead.markLost(LostReason.create("gone"), later()) },
    reopen: { to: "NEW", run: (lead) => lead.reopen(later()) },
  };

  /** RULES, "The lead's life": the only moves there are. */
  const allowed: Record<LeadStatus, string[]> = {
    NEW: ["markContacted", "qualify", "markLost"],
    CONTACTED: ["qualify", "markLost"],
    QUALIFIED: ["convert", "markLost"],
    CONVERTED: [],
    LOST: ["reopen"],
  };

  for (const from of LEAD_STATUSES) {
    for (const [command, { to, run }] of Object.entries(commands)) {
      if (allowed[from].includes(command)) {
        it(`${command} takes a ${from} lead to ${to}, one version up, updated now`, () => {
          const lead = aLead().inStatus(from).build();
          const version = lead.version;
          run(lead);
          expect(lead.status).toBe(to);
          expect(lead.version).toBe(version + 1);
          expect(lead.state.updatedAt).toEqual(later().now);
        });
      } else {
        const repeating = from === to ? " (repeating a transition)" : "";
        it(`${command} on a ${from} lead is INVALID_TRANSITION {${from}, ${to}}${repeating} and changes nothing`, () => {
          const lead = aLead().inStatus(from).build(); // with an owner: the refusal is the status alone
          const before = lead.state;
          refusedTransition(() => run(lead), from, to);
          expectUntouched(lead, before);
        });
      }
    }
  }
});

describe("qualifying", () => {
  it("needs an owner: without one it is INVALID_TRANSITION and changes nothing", () => {
    for (const build of [() => aLead().build(), () => aLead().contacted().build()]) {
      const lead = build();
      const before = lead.state;
      const message = refusedTransition(() => lead.qualify(usd(100), later()), before.status, "QUALIFIED");
      expect(message).toBe("A lead needs an owner before it can be qualified");
      expectUntouched(lead, before);
    }
  });

  it("is possible once the lead is assigned", () => {
    const lead = aLead().build();
    lead.assign(REP, later());
    lead.qualify(usd(100), later());
    expect(lead.status).toBe("QUALIFIED");
  });

  it("needs an estimated value above zero: 0 is bad input on estimatedValue.amountMinor, 1 is enough", () => {
    const lead = aLead().withOwner().build();
    const before = lead.state;
    refused(() => lead.qualify(usd(0), later()), "estimatedValue.amountMinor");
    expectUntouched(lead, before);
    lead.qualify(usd(1), later());
    expect(lead.status).toBe("QUALIFIED");
  });

  it("lets the application check the value before any lead is loaded", () => {
    refused(() => Lead.assertQualifyingValue(usd(0)), "estimatedValue.amountMinor");
    expect(() => Lead.assertQualifyingValue(usd(1))).not.toThrow();
  });

  it("records the estimated value, replacing the one captured", () => {
    const lead = aLead().withOwner().worth(10, "USD").build();
    lead.qualify(Money.create({ amountMinor: 250_000, currency: "eur" }), later());
    expect(lead.state.estimatedValue).toEqual({ amountMinor: 250_000, currency: "EUR" });
  });
});

describe("converting", () => {
  it("sets convertedAt to the time of the change", () => {
    const lead = aLead().qualified().build();
    expect(lead.state.convertedAt).toBeNull();
    lead.convert(later(5));
    expect(lead.state).toMatchObject({ status: "CONVERTED", convertedAt: minutesAfterNow(5) });
  });
});

describe("losing and reopening", () => {
  it("losing keeps the reason, trimmed", () => {
    const lead = aLead().contacted().build();
    lead.markLost(LostReason.create("  No budget "), later());
    expect(lead.state).toMatchObject({ status: "LOST", lostReason: "No budget" });
  });

  it("reopening makes the lead NEW again and clears the lost reason", () => {
    const lead = aLead().lost("No budget").build();
    lead.reopen(later());
    expect(lead.state).toMatchObject({ status: "NEW", lostReason: null });
  });

  it("a reopened lead can go round again", () => {
    const lead = aLead().withOwner().contacted().lost().reopened().build();
    expect(lead.state).toMatchObject({ status: "NEW", version: 4 });
    lead.markContacted(later());
    lead.qualify(usd(1), later());
    lead.convert(later());
    expect(lead.state).toMatchObject({ status: "CONVERTED", version: 7 });
  });
});

describe("a converted lead is closed", () => {
  const converted = () => aLead().withTags("won").withPhone().converted().build();

  /** Each refused command and the `to` it reports (CONVERTED when the command is no status change). */
  const refusedOnAClosedLead: [string, LeadStatus, (lead: Lead) => void][] = [
    ["updateContact", "CONVERTED", (lead) => lead.updateContact({ name: LeadName.create("Other") }, later())],
    ["updateContact clearing the phone", "CONVERTED", (lead) => lead.updateContact({ phone: null }, later())],
    ["assign", "CONVERTED", (lead) => lead.assign(OTHER_REP, later())],
    ["assign to the same owner", "CONVERTED", (lead) => lead.assign(REP, later())],
    ["markContacted", "CONTACTED", (lead) => lead.markContacted(later())],
    ["qualify", "QUALIFIED", (lead) => lead.qualify(usd(5), later())],
    ["convert", "CONVERTED", (lead) => lead.convert(later())],
    ["markLost", "LOST", (lead) => lead.markLost(LostReason.create("changed their mind"), later())],
    ["reopen", "NEW", (lead) => lead.reopen(later())],
  ];

  for (const [command, to, run] of refusedOnAClosedLead) {
    it(`refuses ${command} as INVALID_TRANSITION {CONVERTED, ${to}}, changing nothing`, () => {
      const lead = converted();
      const before = lead.state;
      expect(refusedTransition(() => run(lead), "CONVERTED", to)).toMatch(/^The lead is converted and closed: /);
      expectUntouched(lead, before);
    });
  }

  it("still takes activities", () => {
    const lead = converted();
    lead.logActivity({ id: "a1", type: "MEETING", summary: ActivitySummary.create("kickoff"), occurredAt: null }, later());
    expect(lead.state).toMatchObject({ status: "CONVERTED", activityCount: 1, score: 100, version: 4 });
    expect(eventNamesOf(lead)).toEqual(["LeadActivityLogged"]);
  });

  it("still takes and drops tags", () => {
    const lead = converted();
    lead.tag([Tag.create("renewal")], later());
    lead.untag([Tag.create("won")], later());
    expect(lead.state).toMatchObject({ tags: ["renewal"], version: 5 });
    expect(eventNamesOf(lead)).toEqual(["LeadTagsChanged", "LeadTagsChanged"]);
  });

  it("still takes company enrichment: data, not a status change", () => {
    const lead = converted();
    lead.recordEnrichment(aProfile({ name: "Example", employeeCount: 900 }), later());
    expect(lead.state).toMatchObject({ status: "CONVERTED", company: "Example", score: 100, version: 4 });
    expect(eventNamesOf(lead)).toEqual(["LeadEnriched"]);
  });

  it("can still be erased", () => {
    const lead = converted();
    lead.markDeleted(later());
    expect(lead.pullEvents()).toMatchObject([{ name: "LeadDeleted", version: 4 }]);
  });
});

describe("a command that changes nothing", () => {
  const PROFILE = aProfile();
  /** A lead that already has an owner, contact data, a tag and an enrichment. */
  const settled = () => aLead().withOwner(REP).withPhone().withCompany("Acme").withTags("vip").enrichedWith(PROFILE).build();

  const nothingChanges: [string, (lead: Lead) => void][] = [
    ["assigning the same owner", (lead) => lead.assign(REP, later())],
    ["updating contact data with nothing", (lead) => lead.updateContact({}, later())],
    [
      "updating contact data with identical values, written differently",
      (lead) =>
        lead.updateContact(
          {
            name: LeadName.create(" Ada Lovelace "),
            email: Email.create("ADA@example.com"),
            phone: Phone.create("+1 (415) 555-0123"),
            company: CompanyName.create("Acme"),
          },
          later(),
        ),
    ],
    ["tagging with a tag already there, in another case", (lead) => lead.tag([Tag.create("VIP")], later())],
    ["tagging with no tags", (lead) => lead.tag([], later())],
    ["untagging a tag that is not there", (lead) => lead.untag([Tag.create("absent")], later())],
    ["recording the same enrichment again", (lead) => lead.recordEnrichment({ ...PROFILE }, later())],
  ];

  for (const [what, run] of nothingChanges) {
    it(`${what}: no event, same version, same updatedAt`, () => {
      const lead = settled();
      const before = lead.state;
      run(lead);
      expectUntouched(lead, before);
    });
  }

  it("clearing a phone or company that is already empty: no event, same version", () => {
    const lead = aLead().build();
    const before = lead.state;
    lead.updateContact({ phone: null, company: null }, later());
    expectUntouched(lead, before);
  });
});

describe("logging an activity", () => {
  const log = (lead: Lead, occurredAt: Date | null, id = "activity-1") => lead.logActivity({ id, type: "CALL", summary, occurredAt }, aChange());

  it("records who did what, when, on which lead", () => {
    const lead = aLead().build();
    expect(log(lead, minutesAfterNow(-60))).toEqual({
      id: "activity-1",
      leadId: LEAD_ID,
      type: "CALL",
      summary: "Called, left a message",
      occurredAt: minutesAfterNow(-60),
      actorId: REP,
      createdAt: NOW,
      editedAt: null,
    });
  });

  it("dates an undated activity now", () => {
    expect(log(aLead().build(), null).occurredAt).toEqual(NOW);
  });

  it("accepts a date exactly 5 minutes ahead, refuses one a millisecond further (field occurredAt), changing nothing", () => {
    const lead = aLead().build();
    expect(log(lead, minutesAfterNow(5), "on-the-edge").occurredAt).toEqual(minutesAfterNow(5));
    const before = lead.state;
    lead.pullEvents();
    refused(() => log(lead, new Date(minutesAfterNow(5).getTime() + 1), "too-early"), "occurredAt");
    expectUntouched(lead, before);
    expect(lead.pullNewActivities().map((activity) => activity.id)).toEqual(["on-the-edge"]);
  });

  it("may lie far in the past", () => {
    const longAgo = new Date("2001-01-01T00:00:00Z");
    expect(log(aLead().build(), longAgo).occurredAt).toEqual(longAgo);
  });

  it("refuses a date that is not a date", () => {
    refused(() => log(aLead().build(), new Date("not a date")), "occurredAt");
  });

  it("may lie back to the epoch, not before it nor in year 0 (field occurredAt)", () => {
    const epoch = new Date("1970-01-01T00:00:00.000Z");
    expect(log(aLead().build(), epoch).occurredAt).toEqual(epoch);
    refused(() => log(aLead().build(), new Date("1969-12-31T23:59:59.999Z")), "occurredAt");
    refused(() => log(aLead().build(), new Date("0000-01-01T00:00:00.000Z")), "occurredAt");
  });

  it("knows every activity type", () => {
    const lead = aLead().build();
    for (const type of ACTIVITY_TYPES) expect(lead.logActivity({ id: type, type, summary, occurredAt: null }, aChange()).type).toBe(type);
  });

  it("is always a change: one version per activity", () => {
    const lead = aLead().build();
    log(lead, null, "a1");
    log(lead, null, "a2");
    expect(lead.state).toMatchObject({ activityCount: 2, version: 3 });
  });

  it("is handed to the repository once", () => {
    const lead = aLead().build();
    const activity = log(lead, null);
    expect(lead.pullNewActivities()).toEqual([activity]);
    expect(lead.pullNewActivities()).toEqual([]);
  });

  it("is allowed whatever the status", () => {
    for (const status of LEAD_STATUSES) {
      const lead = aLead().inStatus(status).build();
      log(lead, null);
      expect(lead.state.activityCount, status).toBe(1);
    }
  });
});

describe("capturing a lead", () => {
  it("starts NEW at version 1, scored, deduplicated tags, nothing lost or converted", () => {
    const lead = aLead().withSource("REFERRAL").withOwner(REP).withTags("vip", "VIP", "b2b").build();
    expect(lead.state).toEqual({
      tenantId: TENANT,
      id: LEAD_ID,
      name: "Ada Lovelace",
      email: "ada@example.com",
      phone: null,
      company: null,
      source: "REFERRAL",
      status: "NEW",
      score: 30,
      estimatedValue: null,
      tags: ["vip", "b2b"],
      lostReason: null,
      ownerId: REP,
      campaignId: null,
      enrichment: null,
      activityCount: 0,
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
      convertedAt: null,
    });
    expect([lead.id, lead.tenantId, lead.email, lead.ownerId, lead.score, lead.version, lead.status]).toEqual([LEAD_ID, TENANT, "ada@example.com", REP, 30, 1, "NEW"]);
  });
});

describe("a stored lead", () => {
  it("is restored as it was, with no events and no new activities", () => {
    const original = aLead().withTags("a").enrichedWith({ employeeCount: 10 }).qualified().build();
    const restored = Lead.restore(original.state);
    expect(restored.state).toEqual(original.state);
    expect(restored.pullEvents()).toEqual([]);
    expect(restored.pullNewActivities()).toEqual([]);
  });

  it("hands out snapshots: changing one changes neither the lead nor the state it came from", () => {
    const source = aLead().withTags("a").worth(10).build().state;
    const lead = Lead.restore({ ...source, tags: [...source.tags], estimatedValue: source.estimatedValue && { ...source.estimatedValue } });
    const snapshot = lead.state as { tags: string[]; estimatedValue: { amountMinor: number } };
    expect(Object.isFrozen(snapshot)).toBe(true);
    snapshot.tags.push("b");
    snapshot.estimatedValue.amountMinor = 99;
    expect(lead.state.tags).toEqual(["a"]);
    expect(lead.state.estimatedValue?.amountMinor).toBe(10);
    lead.tag([Tag.create("c")], aChange());
    expect(source.tags).toEqual(["a"]);
  });
});

describe("updating contact data", () => {
  it("null clears phone and company; omitted fields stay", () => {
    const lead = aLead().withPhone().withCompany().build();
    lead.updateContact({ phone: null, company: null }, later());
    expect(lead.state).toMatchObject({ phone: null, company: null, name: "Ada Lovelace", email: "ada@example.com", version: 2, updatedAt: later().now });
  });

  it("changes only the field given", () => {
    const lead = aLead().withPhone().withCompany().build();
    lead.updateContact({ company: CompanyName.create("Initech") }, later());
    expect(lead.state).toMatchObject({ phone: "+14155550123", company: "Initech", name: "Ada Lovelace", email: "ada@example.com", version: 2 });
  });

  it("takes a new name, email, phone and company at once, as one change", () => {
    const lead = aLead().build();
    lead.updateContact(
      { name: LeadName.create("Ada King"), email: Email.create("ada@king.org"), phone: Phone.create("+44 20 7946 0018"), company: CompanyName.create("Analytical Engines") },
      later(),
    );
    expect(lead.state).toMatchObject({ name: "Ada King", email: "ada@king.org", phone: "+442079460018", company: "Analytical Engines", version: 2 });
  });
});

describe("assigning", () => {
  it("sets and replaces the owner, one version each", () => {
    const lead = aLead().build();
    lead.assign(REP, later());
    lead.assign(OTHER_REP, later(2));
    expect(lead.state).toMatchObject({ ownerId: OTHER_REP, version: 3, updatedAt: minutesAfterNow(2) });
  });
});

describe("tagging a lead", () => {
  it("adds new tags after the existing ones and removes the given ones, one version each", () => {
    const lead = aLead().withTags("a").build();
    lead.tag([Tag.create("b"), Tag.create("a")], later());
    lead.untag([Tag.create("a")], later());
    expect(lead.state).toMatchObject({ tags: ["b"], version: 3 });
  });

  it("holds at most 20 tags: a 21st is bad input on tags and changes nothing", () => {
    const lead = aLead().withTags(...numberedTags(20)).build();
    const before = lead.state;
    refused(() => lead.tag([Tag.create("one-more")], later()), "tags");
    expectUntouched(lead, before);
  });
});

describe("company enrichment", () => {
  const profile = aProfile({ employeeCount: 250 });

  it("is stored on the lead and fills in an empty company", () => {
    const lead = aLead().build();
    lead.recordEnrichment(profile, later());
    expect(lead.state).toMatchObject({ enrichment: profile, company: "Example Inc", version: 2, updatedAt: later().now });
  });

  it("never overwrites a company a person entered", () => {
    const lead = aLead().withCompany("Acme").build();
    lead.recordEnrichment(profile, later());
    expect(lead.state.company).toBe("Acme");
  });

  it("leaves the company empty when the directory knows no name", () => {
    const lead = aLead().build();
    lead.recordEnrichment({ ...profile, name: null }, later());
    expect(lead.state.company).toBeNull();
    lead.recordEnrichment({ ...profile, name: "   " }, later());
    expect(lead.state.company).toBeNull();
  });

  it("fits an over-long directory name to the 200-character company rule", () => {
    const lead = aLead().build();
    lead.recordEnrichment({ ...profile, name: `  ${"😀".repeat(250)}` }, later());
    expect([...lead.state.company!]).toHaveLength(200);
  });

  it("replaces the last profile with a different one", () => {
    const lead = aLead().build();
    lead.recordEnrichment(profile, later());
    lead.recordEnrichment({ ...profile, employeeCount: 300 }, later(2));
    expect(lead.state).toMatchObject({ enrichment: { employeeCount: 300 }, version: 3 });
  });

  it("keeps its own copy of the profile", () => {
    const lead = aLead().build();
    const given = { ...profile };
    lead.recordEnrichment(given, later());
    given.employeeCount = 1;
    expect(lead.state.enrichment?.employeeCount).toBe(250);
  });
});

describe("erasing a lead", () => {
  it("takes it one version past its last, from any status", () => {
    for (const status of LEAD_STATUSES) {
      const lead = aLead().inStatus(status).build();
      const version = lead.version;
      lead.markDeleted(later());
      expect(lead.version, status).toBe(version + 1);
    }
  });
});
