import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import { CompanyName } from "../../src/domain/lead/company-name";
import { Email } from "../../src/domain/lead/email";
import { LeadName } from "../../src/domain/lead/lead-name";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { Phone } from "../../src/domain/lead/phone";
import { MAX_TAGS_PER_LEAD, Tag, TagSet } from "../../src/domain/lead/tag";
import { parseUuid } from "../../src/domain/shared/identifier";
import { supportedInstant } from "../../src/domain/shared/instant";
import { codePointLength, plainText } from "../../src/domain/shared/text";
import { refused } from "./refused";

/** One code point, two UTF-16 units: lengths count code points (RULES: Values). */
const EMOJI = "😀";
const text = (length: number, unit = "x") => unit.repeat(length);
const numberedTags = (count: number) => Array.from({ length: count }, (_, i) => `t${i}`);

describe("a lead's name", () => {
  it("is trimmed", () => {
    expect(LeadName.create("  Ada Lovelace \n").value).toBe("Ada Lovelace");
  });

  it("holds 1 to 200 characters: 200 accepted, 201 refused", () => {
    expect(LeadName.create("a").value).toBe("a");
    expect(LeadName.create(text(200)).value).toBe(text(200));
    refused(() => LeadName.create(text(201)), "name");
  });

  it("counts an emoji as one character: 200 emoji (400 UTF-16 units) accepted, 201 refused", () => {
    expect(text(200, EMOJI)).toHaveLength(400);
    expect(codePointLength(LeadName.create(text(200, EMOJI)).value)).toBe(200);
    refused(() => LeadName.create(text(201, EMOJI)), "name");
  });

  it("is measured after trimming", () => {
    expect(LeadName.create(`  ${text(200)}  `).value).toBe(text(200));
  });

  it("is refused when empty after trimming", () => {
    refused(() => LeadName.create(""), "name");
    refused(() => LeadName.create(" \t\n "), "name");
  });

  it("names the field it was given", () => {
    refused(() => LeadName.create("", "input.name"), "input.name");
  });

  it("equals another by value", () => {
    expect(LeadName.create("Ada").equals(LeadName.create(" Ada "))).toBe(true);
    expect(LeadName.create("Ada").equals(LeadName.create("ada"))).toBe(false);
  });
});

describe("a company name", () => {
  it("is trimmed", () => {
    expect(CompanyName.create("  Acme ")?.value).toBe("Acme");
  });

  it("means no company when empty, blank, null or undefined", () => {
    expect(CompanyName.create("")).toBeNull();
    expect(CompanyName.create("   ")).toBeNull();
    expect(CompanyName.create(null)).toBeNull();
    expect(CompanyName.create(undefined)).toBeNull();
  });

  it("holds up to 200 characters: 200 accepted, 201 refused", () => {
    expect(CompanyName.create(text(200))?.value).toBe(text(200));
    refused(() => CompanyName.create(text(201)), "company");
  });

  it("counts an emoji as one character", () => {
    expect(codePointLength(CompanyName.create(text(200, EMOJI))!.value)).toBe(200);
    refused(() => CompanyName.create(text(201, EMOJI)), "company");
  });

  it("equals another by value, never no company", () => {
    expect(CompanyName.create("Acme")!.equals(CompanyName.create(" Acme "))).toBe(true);
    expect(CompanyName.create("Acme")!.equals(null)).toBe(false);
  });
});

describe("an email address", () => {
  /** 64 + 1 + 62/61 + 1 + 61 + 1 + 61 + 4 characters. */
  const address = (firstLabel: number) => `${text(64, "l")}@${text(firstLabel, "a")}.${text(61, "b")}.${text(61, "c")}.com`;

  it("is trimmed and lowercased", () => {
    expect(Email.create("  Ada.Lovelace@Example.COM \t").value).toBe("ada.lovelace@example.com");
  });

  it("knows its domain", () => {
    expect(Email.create("ada.lovelace+crm@mail.example.co.uk").domain).toBe("mail.example.co.uk");
  });

  it("holds up to 254 characters: 254 accepted, 255 refused", () => {
    expect(address(61)).toHaveLength(254);
    expect(Email.create(address(61)).value).toBe(address(61));
    expect(address(62)).toHaveLength(255);
    expect(refused(() => Email.create(address(62)), "email")).toBe("email must be at most 254 characters long (got 255)");
  });

  it("is measured after trimming", () => {
    expect(Email.create(`  ${address(61)}  `).value).toBe(address(61));
  });

  it("has a local part of up to 64 characters: 64 accepted, 65 refused", () => {
    expect(Email.create(`${text(64, "l")}@example.com`).value).toBe(`${text(64, "l")}@example.com`);
    refused(() => Email.create(`${text(65, "l")}@example.com`), "email");
  });

  it("accepts the ordinary forms", () => {
    for (const good of ["a@b.co", "first.last@example.com", "o'brien+tag@sub.example.org", "x1@my-company.io", "a@x1.example.museum"]) {
      expect(Email.create(good).value, good).toBe(good);
    }
  });

  const notAddresses: [string, string][] = [
    ["empty", ""],
    ["blank", "   "],
    ["no @", "ada.example.com"],
    ["nothing before the @", "@example.com"],
    ["nothing after the @", "ada@"],
    ["no dot in the domain", "ada@example"],
    ["a space in the local part", "ada lovelace@example.com"],
    ["a space in the domain", "ada@exa mple.com"],
    ["a double @", "ada@@example.com"],
    ["two @", "ada@bob@example.com"],
    ["a trailing dot", "ada@example.com."],
    ["a leading dot in the local part", ".ada@example.com"],
    ["two dots in a row in the local part", "a..b@example.com"],
    ["a domain starting with a dot", "ada@.example.com"],
    ["an empty domain label", "ada@example..com"],
    ["a label starting with -", "ada@-example.com"],
    ["a label ending with -", "ada@example-.com"],
    ["an underscore in the domain", "ada@exa_mple.com"],
    ["a one-letter top-level domain", "ada@example.c"],
    ["a digit in the top-level domain", "ada@example.c0m"],
    ["a label of 64 characters", `ada@${text(64, "a")}.com`],
    ["a non-ASCII local part", "adä@example.com"],
  ];
  for (const [what, bad] of notAddresses) {
    it(`refuses an address with ${what}`, () => {
      refused(() => Email.create(bad), "email");
    });
  }

  it("accepts a domain label of 63 characters", () => {
    expect(Email.create(`ada@${text(63, "a")}.com`).domain).toBe(`${text(63, "a")}.com`);
  });

  it("says which value it refused", () => {
    expect(refused(() => Email.create("not an email"), "email")).toBe('email: "not an email" is not a valid email address');
  });

  it("equals the same address written differently", () => {
    expect(Email.create("ADA@example.com").equals(Email.create(" ada@EXAMPLE.com"))).toBe(true);
  });
});

describe("a phone number", () => {
  it("has spaces, dashes, dots and parentheses stripped", () => {
    expect(Phone.create("+1 (415) 555-0123")?.value).toBe("+14155550123");
    expect(Phone.create("+44.20.7946.0018")?.value).toBe("+442079460018");
    expect(Phone.create(" +49 30 1234-5678 ")?.value).toBe("+493012345678");
  });

  it("means no phone when null or undefined", () => {
    expect(Phone.create(null)).toBeNull();
    expect(Phone.create(undefined)).toBeNull();
  });

  it("is E.164: a + then 7 to 15 digits (6 and 16 refused)", () => {
    refused(() => Phone.create("+123456"), "phone");
    expect(Phone.create("+1234567")?.value).toBe("+1234567");
    expect(Phone.create("+123456789012345")?.value).toBe("+123456789012345");
    refused(() => Phone.create("+1234567890123456"), "phone");
  });

  it("counts digits after stripping separators", () => {
    expect(Phone.create("+1 234-567")?.value).toBe("+1234567");
    refused(() => Phone.create("+1 (234) 56"), "phone");
  });

  it("starts with a country code, never 0", () => {
    refused(() => Phone.create("+0123456789"), "phone");
  });

  it("needs the +", () => {
    refused(() => Phone.create("14155550123"), "phone");
    refused(() => Phone.create("0014155550123"), "phone");
  });

  it("refuses letters, other separators and blanks", () => {
    for (const bad of ["+1 415 555 CALL", "+1/415/5550123", "++14155550123", "", "  ", "()-."]) refused(() => Phone.create(bad), "phone");
  });

  it("equals the same number written differently", () => {
    expect(Phone.create("+1 415 555 0123")!.equals(Phone.create("+1-415-555-0123"))).toBe(true);
    expect(Phone.create("+1 415 555 0123")!.equals(null)).toBe(false);
  });
});

describe("a tag", () => {
  it("is trimmed and lowercased", () => {
    expect(Tag.create("  VIP Client ").value).toBe("vip client");
  });

  it("holds 1 to 32 characters: 32 accepted, 33 refused", () => {
    expect(Tag.create("a").value).toBe("a");
    expect(Tag.create(text(32, "a")).value).toBe(text(32, "a"));
    refused(() => Tag.create(text(33, "a")), "tags");
  });

  it("is measured after trimming", () => {
    expect(Tag.create(`  ${text(32, "A")}  `).value).toBe(text(32, "a"));
  });

  it("starts with a letter or digit", () => {
    expect(Tag.create("2026").value).toBe("2026");
    for (const bad of ["-vip", "_vip", "", " "]) refused(() => Tag.create(bad), "tags");
  });

  it("goes on with letters, digits, spaces, _ and -", () => {
    expect(Tag.create("q4_big-deal 2").value).toBe("q4_big-deal 2");
    for (const bad of ["vip!", "vip.com", "vip/b2b", "café", EMOJI, "a\tb"]) refused(() => Tag.create(bad), "tags");
  });

  it("says which tag it refused", () => {
    expect(refused(() => Tag.create("vip!"), "tags")).toMatch(/^tags: "vip!" is not a valid tag/);
  });
});

describe("a lead's tags", () => {
  it("are deduplicated, keeping the order first given, whatever the case", () => {
    expect(TagSet.create(["b", "A", "a", "B ", "c"]).values).toEqual(["b", "a", "c"]);
  });

  it("are at most 20: 20 accepted, 21 refused", () => {
    expect(MAX_TAGS_PER_LEAD).toBe(20);
    expect(TagSet.create(numberedTags(20)).values).toEqual(numberedTags(20));
    refused(() => TagSet.create(numberedTags(21)), "tags");
  });

  it("count duplicates once toward the limit", () => {
    expect(TagSet.create([...numberedTags(20), "T0", " t1 "]).values).toHaveLength(20);
  });

  it("report an invalid tag under the field given", () => {
    refused(() => TagSet.create(["ok", "not ok!"], "input.tags"), "input.tags");
  });

  it("report which tags adding added: only the new ones, deduplicated", () => {
    const { set, added } = TagSet.create(["a", "b"]).add([Tag.create("b"), Tag.create("c"), Tag.create("C")]);
    expect(added).toEqual(["c"]);
    expect(set.values).toEqual(["a", "b", "c"]);
  });

  it("report nothing added when every tag was there", () => {
    expect(TagSet.create(["a"]).add([Tag.create("A")]).added).toEqual([]);
  });

  it("may be filled to 20 by adding, not past it", () => {
    const { set } = TagSet.create(numberedTags(19)).add([Tag.create("t0"), Tag.create("new")]);
    expect(set.values).toHaveLength(20);
    expect(set.add([Tag.create("t5")]).added).toEqual([]);
    refused(() => set.add([Tag.create("one-too-many")]), "tags");
  });

  it("report which tags removing removed: only those that were there", () => {
    const { set, removed } = TagSet.create(["a", "b", "c"]).remove([Tag.create("a"), Tag.create("zzz"), Tag.create("c")]);
    expect(removed).toEqual(["a", "c"]);
    expect(set.values).toEqual(["b"]);
  });

  it("never change in place", () => {
    const original = TagSet.create(["a"]);
    original.add([Tag.create("b")]);
    original.remove([Tag.create("a")]);
    expect(original.values).toEqual(["a"]);
    expect(Object.isFrozen(original.values)).toBe(true);
  });
});

describe("money", () => {
  const usd = (amountMinor: number) => Money.create({ amountMinor, currency: "USD" });

  it("is a whole amount of minor units from 0 to 2^31-1", () => {
    expect(usd(0).amountMinor).toBe(0);
    expect(usd(2147483647).amountMinor).toBe(2147483647);
  });

  it("refuses -1, 2^31, fractions and non-numbers under estimatedValue.amountMinor", () => {
    for (const bad of [-1, 2147483648, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "100" as unknown as number]) {
      refused(() => usd(bad), "estimatedValue.amountMinor");
    }
  });

  it("is in an ISO-4217 currency, case-insensitive, stored uppercase", () => {
    expect(Money.create({ amountMinor: 1, currency: "usd" }).currency).toBe("USD");
    expect(Money.create({ amountMinor: 1, currency: "eUr" }).currency).toBe("EUR");
  });

  it("refuses what is not a currency code under estimatedValue.currency", () => {
    for (const bad of ["ZZZ", "US", "USDD", "XXX1", "", " usd"]) {
      refused(() => Money.create({ amountMinor: 1, currency: bad }), "estimatedValue.currency");
    }
  });

  it("names the path inside the argument it was given", () => {
    refused(() => Money.create({ amountMinor: -1, currency: "USD" }, "value"), "value.amountMinor");
    refused(() => Money.create({ amountMinor: 1, currency: "ZZZ" }, "value"), "value.currency");
  });

  it("checks the amount before the currency", () => {
    refused(() => Money.create({ amountMinor: -1, currency: "ZZZ" }), "estimatedValue.amountMinor");
  });

  it("equals by amount and currency, and serialises to plain data", () => {
    expect(Money.create({ amountMinor: 5, currency: "jpy" }).equals(Money.create({ amountMinor: 5, currency: "JPY" }))).toBe(true);
    expect(usd(5).equals(Money.create({ amountMinor: 5, currency: "EUR" }))).toBe(false);
    expect(usd(5).equals(usd(6))).toBe(false);
    expect(usd(5).equals(null)).toBe(false);
    expect(JSON.parse(JSON.stringify(Money.create({ amountMinor: 250, currency: "eur" })))).toEqual({ amountMinor: 250, currency: "EUR" });
  });
});

describe("a lost reason", () => {
  it("is trimmed", () => {
    expect(LostReason.create("  No budget ").value).toBe("No budget");
  });

  it("holds 1 to 500 characters: 500 accepted, 501 refused", () => {
    expect(LostReason.create("r").value).toBe("r");
    expect(LostReason.create(text(500)).value).toBe(text(500));
    refused(() => LostReason.create(text(501)), "reason");
    expect(codePointLength(LostReason.create(text(500, EMOJI)).value)).toBe(500);
    refused(() => LostReason.create(text(501, EMOJI)), "reason");
  });

  it("is required: empty or blank is refused", () => {
    refused(() => LostReason.create(""), "reason");
    refused(() => LostReason.create("  "), "reason");
  });
});

describe("an activity summary", () => {
  it("is trimmed", () => {
    expect(ActivitySummary.create(" Called, left a message ").value).toBe("Called, left a message");
  });

  it("holds 1 to 2000 characters: 2000 accepted, 2001 refused", () => {
    expect(ActivitySummary.create("s").value).toBe("s");
    expect(ActivitySummary.create(text(2000)).value).toBe(text(2000));
    refused(() => ActivitySummary.create(text(2001)), "summary");
    expect(codePointLength(ActivitySummary.create(text(2000, EMOJI)).value)).toBe(2000);
    refused(() => ActivitySummary.create(text(2001, EMOJI)), "summary");
  });

  it("is required: empty or blank is refused", () => {
    refused(() => ActivitySummary.create(""), "summary");
    refused(() => ActivitySummary.create("\n"), "summary");
  });
});

describe("an id", () => {
  it("is any RFC-4122-shaped UUID, lowercased so one id has one spelling", () => {
    expect(parseUuid("7D5E0F7E-1C1A-4D2B-8E7F-3A9B2C1D0E4F", "id")).toBe("7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4f");
    expect(parseUuid("00000000-0000-0000-0000-000000000000", "id")).toBe("00000000-0000-0000-0000-000000000000");
    expect(parseUuid("01890a5d-ac96-774b-bcce-b302099a8057", "id")).toBe("01890a5d-ac96-774b-bcce-b302099a8057"); // v7
  });

  const notUuids: [string, string][] = [
    ["empty", ""],
    ["a word", "not-a-uuid"],
    ["one digit short", "7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4"],
    ["one digit long", "7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4f0"],
    ["no dashes", "7d5e0f7e1c1a4d2b8e7f3a9b2c1d0e4f"],
    ["braces", "{7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4f}"],
    ["a leading space", " 7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4f"],
    ["a non-hex digit", "7d5e0f7g-1c1a-4d2b-8e7f-3a9b2c1d0e4f"],
  ];
  for (const [what, bad] of notUuids) {
    it(`refuses ${what}, naming the argument`, () => {
      refused(() => parseUuid(bad, "leadId"), "leadId");
    });
  }

  it("says which value it refused", () => {
    expect(refused(() => parseUuid("42", "ownerId"), "ownerId")).toBe('ownerId: "42" is not a valid UUID');
  });
});

describe("text a client sends", () => {
  const NOT_TEXT = { "a NUL": "Ada\u0000Lovelace", "a lone high surrogate": "Ada\ud800", "a lone low surrogate": "\udc00Ada", "a reversed pair": "\udc00\ud800" };

  for (const [what, value] of Object.entries(NOT_TEXT)) {
    it(`is refused with ${what}, naming the field, in every text value`, () => {
      refused(() => LeadName.create(value), "name");
      refused(() => CompanyName.create(value), "company");
      refused(() => LostReason.create(value), "reason");
      refused(() => ActivitySummary.create(value), "summary");
      refused(() => plainText(value, "search"), "search");
      refused(() => Email.create(`ada${value}@example.com`), "email");
      refused(() => Phone.create(`+1415${value}5550123`), "phone");
      refused(() => Tag.create(`vip${value}`), "tags");
    });
  }

  it("accepts whole characters beyond the BMP (a surrogate pair is one emoji)", () => {
    expect(LeadName.create(`Ada ${EMOJI}`).value).toBe(`Ada ${EMOJI}`);
    expect(plainText("\ud83d\ude00", "search")).toBe(EMOJI);
  });
});

describe("an instant a client gives", () => {
  it("lies between 1970-01-01 and 9999-12-31: the bounds accepted, a millisecond beyond refused", () => {
    expect(supportedInstant(new Date("1970-01-01T00:00:00.000Z"), "occurredAt").toISOString()).toBe("1970-01-01T00:00:00.000Z");
    expect(supportedInstant(new Date("9999-12-31T23:59:59.999Z"), "createdBefore").toISOString()).toBe("9999-12-31T23:59:59.999Z");
    refused(() => supportedInstant(new Date("1969-12-31T23:59:59.999Z"), "occurredAt"), "occurredAt");
    refused(() => supportedInstant(new Date("+010000-01-01T00:00:00.000Z"), "createdAfter"), "createdAfter");
    refused(() => supportedInstant(new Date("0000-01-01T00:00:00.000Z"), "occurredAt"), "occurredAt");
    refused(() => supportedInstant(new Date(Number.NaN), "occurredAt"), "occurredAt");
  });
});
