import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import { Email } from "../../src/domain/lead/email";
import { LeadName } from "../../src/domain/lead/lead-name";
import { scoreLead } from "../../src/domain/lead/lead-scoring";
import { canTransition, type LeadStatus } from "../../src/domain/lead/lead-status";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { Phone } from "../../src/domain/lead/phone";
import { Tag, TagSet } from "../../src/domain/lead/tag";
import { DomainError, ValidationError } from "../../src/domain/shared/domain-error";
import { codePointLength } from "../../src/domain/shared/text";
import { aChange, aLead } from "../domain/a-lead";

const SEED = 20261124;
const settings = { seed: SEED, numRuns: 500 };

/** Either a valid value or a ValidationError: never another exception. */
function validOrRefused<T>(create: () => T): T | null {
  try {
    return create();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return null;
  }
}

const anyText = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.emailAddress(), fc.constantFrom("", " ", "\u0000", "😀".repeat(201)));

describe("value objects never exist invalid, whatever the input", () => {
  it("emails are trimmed, lowercased, <= 254 chars and stable", () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const email = validOrRefused(() => Email.create(raw));
        if (!email) return;
        expect(email.value).toBe(email.value.trim().toLowerCase());
        expect(email.value.length).toBeLessThanOrEqual(254);
        expect(Email.create(email.value).equals(email)).toBe(true);
      }),
      settings,
    );
  });

  it("phones are E.164", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.stringMatching(/^\+[0-9 ().-]{5,20}$/)), (raw) => {
        const phone = validOrRefused(() => Phone.create(raw));
        if (phone) expect(phone.value).toMatch(/^\+[1-9]\d{6,14}$/);
      }),
      settings,
    );
  });

  it("names, reasons and summaries respect their code-point bounds", () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const name = validOrRefused(() => LeadName.create(raw));
        if (name) expect(codePointLength(name.value)).toBeGreaterThanOrEqual(1);
        if (name) expect(codePointLength(name.value)).toBeLessThanOrEqual(200);
        const reason = validOrRefused(() => LostReason.create(raw));
        if (reason) expect(codePointLength(reason.value)).toBeLessThanOrEqual(500);
        const summary = validOrRefused(() => ActivitySummary.create(raw));
        if (summary) expect(summary.value).toBe(summary.value.trim());
      }),
      settings,
    );
  });

  it("tag sets stay deduplicated, valid and at most 20", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyText, fc.stringMatching(/^[A-Za-z0-9 _-]{1,34}$/)), { maxLength: 30 }), (raws) => {
        const set = validOrRefused(() => TagSet.create(raws));
        if (!set) return;
        expect(set.values.length).toBeLessThanOrEqual(20);
        expect(new Set(set.values).size).toBe(set.values.length);
        for (const tag of set.values) expect(Tag.create(tag).value).toBe(tag);
      }),
      settings,
    );
  });

  it("money is a whole number of minor units in 0..2^31-1 and an upper-case ISO code", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 31)), fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom("usd", "EUR", "jPy")), (amountMinor, currency) => {
        const money = validOrRefused(() => Money.create({ amountMinor, currency }));
        if (!money) return;
        expect(Number.isInteger(money.amountMinor) && money.amountMinor >= 0 && money.amountMinor <= 2 ** 31 - 1).toBe(true);
        expect(money.currency).toMatch(/^[A-Z]{3}$/);
      }),
      settings,
    );
  });
});

type Command = { kind: "contact" } | { kind: "qualify"; amount: number } | { kind: "convert" } | { kind: "lose" } | { kind: "reopen" } | { kind: "assign"; owner: number } | { kind: "activity" } | { kind: "tag"; tag: number };

const commands: fc.Arbitrary<Command> = fc.oneof(
  fc.constant({ kind: "contact" as const }),
  fc.integer({ min: 0, max: 2_000_000 }).map((amount) => ({ kind: "qualify" as const, amount })),
  fc.constant({ kind: "convert" as const }),
  fc.constant({ kind: "lose" as const }),
  fc.constant({ kind: "reopen" as const }),
  fc.integer({ min: 0, max: 2 }).map((owner) => ({ kind: "assign" as const, owner })),
  fc.constant({ kind: "activity" as const }),
  fc.integer({ min: 0, max: 3 }).map((tag) => ({ kind: "tag" as const, tag })),
);

const OWNERS = ["aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa0", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa2"];
const TARGET: Partial<Record<Command["kind"], LeadStatus>> = { contact: "CONTACTED", qualify: "QUALIFIED", convert: "CONVERTED", lose: "LOST", reopen: "NEW" };

describe("the lead against a reference model, over random command sequences", () => {
  it("status, version, score and events always agree", () => {
    fc.assert(
      fc.property(fc.array(commands, { maxLength: 25 }), (sequence) => {
        const lead = aLead().build();
        const model = { status: "NEW" as LeadStatus, version: 1, owner: null as string | null, activities: 0, tags: new Set<string>(), value: null as number | null };
        for (const command of sequence) {
          const target = TARGET[command.kind];
          const closed = model.status === "CONVERTED";
          let expectChange: boolean;
          if (target) expectChange = canTransition(model.status, target) && !(command.kind === "qualify" && (!model.owner || command.amount === 0));
          else if (command.kind === "assign") expectChange = !closed && model.owner !== OWNERS[command.owner];
          else if (command.kind === "tag") expectChange = !model.tags.has(`t${command.tag}`);
          else expectChange = true; // activity
          try {
            if (command.kind === "contact") lead.markContacted(aChange());
            if (command.kind === "qualify") lead.qualify(Money.create({ amountMinor: command.amount, currency: "USD" }), aChange());
            if (command.kind === "convert") lead.convert(aChange());
            if (command.kind === "lose") lead.markLost(LostReason.create("r"), aChange());
            if (command.kind === "reopen") lead.reopen(aChange());
            if (command.kind === "assign") lead.assign(OWNERS[command.owner], aChange());
            if (command.kind === "activity") lead.logActivity({ id: `a${model.activities}`, type: "NOTE", summary: ActivitySummary.create("n"), occurredAt: null }, aChange());
            if (command.kind === "tag") lead.tag([Tag.create(`t${command.tag}`)], aChange());
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            expect(expectChange).toBe(false);
          }
          const events = lead.pullEvents();
          if (expectChange) {
            model.version += 1;
            if (target) model.status = target;
            if (command.kind === "qualify") model.value = command.amount;
            if (command.kind === "assign") model.owner = OWNERS[command.owner];
            if (command.kind === "activity") model.activities += 1;
            if (command.kind === "tag") model.tags.add(`t${command.tag}`);
          }
          expect(events.length > 0).toBe(expectChange);
          expect(events.every((event) => event.version === model.version)).toBe(true);
          const scoreEvents = events.filter((event) => event.name === "LeadScoreChanged");
          expect(scoreEvents.length).toBeLessThanOrEqual(1);
          if (scoreEvents.length) expect(events.at(-1)?.name).toBe("LeadScoreChanged");
          const expectedScore = scoreLead({
            source: "WEBSITE_FORM", hasPhone: false, hasCompany: false, activityCount: model.activities,
            estimatedValueMinor: model.value, employeeCount: null, status: model.status,
          });
          expect(lead.state).toMatchObject({ status: model.status, version: model.version, score: expectedScore, ownerId: model.owner });
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
