import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import { CompanyName } from "../../src/domain/lead/company-name";
import { Email } from "../../src/domain/lead/email";
import { LeadName } from "../../src/domain/lead/lead-name";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { Phone } from "../../src/domain/lead/phone";
import { Tag, TagSet } from "../../src/domain/lead/tag";
import { ValidationError } from "../../src/domain/shared/domain-error";
import { parseUuid } from "../../src/domain/shared/identifier";

function refused(create: () => unknown, field: string) {
  try {
    create();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.field).toBe(field);
    return;
  }
  throw new Error(`expected ${field} to be refused`);
}

const emoji = "😀"; // one code point, two UTF-16 units

describe("a lead's name", () => {
  it("is trimmed and holds 1..200 code points", () => {
    expect(LeadName.create("  Ada  ").value).toBe("Ada");
    expect(LeadName.create("a").value).toBe("a");
    expect(LeadName.create(emoji.repeat(200)).value).toHaveLength(400);
    refused(() => LeadName.create(emoji.repeat(201)), "name");
    refused(() => LeadName.create("x".repeat(201)), "name");
    refused(() => LeadName.create("   "), "name");
    refused(() => LeadName.create(""), "name");
  });
});

describe("a company name", () => {
  it("is trimmed, up to 200, and empty means none", () => {
    expect(CompanyName.create("  Acme ")?.value).toBe("Acme");
    expect(CompanyName.create("   ")).toBeNull();
    expect(CompanyName.create(null)).toBeNull();
    expect(CompanyName.create("c".repeat(200))?.value).toHaveLength(200);
    refused(() => CompanyName.create("c".repeat(201)), "company");
  });
});

describe("an email", () => {
  it("is trimmed and lowercased", () => {
    expect(Email.create("  Ada@Example.COM ").value).toBe("ada@example.com");
    expect(Email.create("ada.lovelace+crm@mail.example.co.uk").domain).toBe("mail.example.co.uk");
  });

  it("holds up to 254 characters and a local part of up to 64", () => {
    const domain = `${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(50)}.com`; // 184 chars
    const local = (n: number) => "l".repeat(n);
    expect(Email.create(`${local(64)}@${domain}`).value).toHaveLength(64 + 1 + domain.length);
    refused(() => Email.create(`${local(65)}@example.com`), "email");
    const at254 = `${local(64)}@${"a".repeat(61)}.${"b".repeat(61)}.${"c".repeat(61)}.com`;
    expect(at254).toHaveLength(254);
    expect(Email.create(at254).value).toBe(at254);
    refused(() => Email.create(`x${at254}`), "email");
  });

  it("refuses what is not an address", () => {
    for (const bad of ["ada", "ada@", "@example.com", "ada@example", "ada @example.com", "ada@@example.com", "ada@example.com.", "ada@-example.com", "ada@example.c", "a..b@example.com", ""]) {
      refused(() => Email.create(bad), "email");
    }
  });
});

describe("a phone number", () => {
  it("strips spaces, dashes, dots and parentheses, then must be E.164", () => {
    expect(Phone.create("+1 (415) 555-0123")?.value).toBe("+14155550123");
    expect(Phone.create("+44.20.7946.0018")?.value).toBe("+442079460018");
    expect(Phone.create(null)).toBeNull();
    expect(Phone.create("+1234567")?.value).toBe("+1234567"); // 7 digits
    expect(Phone.create("+123456789012345")?.value).toBe("+123456789012345"); // 15 digits
    refused(() => Phone.create("+123456"), "phone"); // 6 digits
    refused(() => Phone.create("+1234567890123456"), "phone"); // 16 digits
    refused(() => Phone.create("+0123456789"), "phone");
    refused(() => Phone.create("4155550123"), "phone");
    refused(() => Phone.create("+1 415 555 CALL"), "phone");
    refused(() => Phone.create(""), "phone");
  });
});

describe("tags", () => {
  it("are trimmed, lowercased and 1..32 of a-z 0-9 space _ -, starting with a letter or digit", () => {
    expect(Tag.create("  VIP Client ").value).toBe("vip client");
    expect(Tag.create("a".repeat(32)).value).toHaveLength(32);
    refused(() => Tag.create("a".repeat(33)), "tags");
    refused(() => Tag.create("-vip"), "tags");
    refused(() => Tag.create(" "), "tags");
    refused(() => Tag.create("vip!"), "tags");
    expect(Tag.create("q4_big-deal 2").value).toBe("q4_big-deal 2");
  });

  it("are deduplicated in first-seen order, at most 20 per lead", () => {
    expect(TagSet.create(["b", "A", "a", "B "]).values).toEqual(["b", "a"]);
    const twenty = Array.from({ length: 20 }, (_, i) => `t${i}`);
    expect(TagSet.create(twenty).values).toHaveLength(20);
    refused(() => TagSet.create([...twenty, "t20"]), "tags");
    const { set, added } = TagSet.create(twenty.slice(0, 19)).add([Tag.create("t0"), Tag.create("new")]);
    expect(added).toEqual(["new"]);
    expect(set.values).toHaveLength(20);
    refused(() => set.add([Tag.create("one-too-many")]), "tags");
    expect(TagSet.create(["a", "b"]).remove([Tag.create("a"), Tag.create("zzz")]).removed).toEqual(["a"]);
  });
});

describe("money", () => {
  it("is a whole amount of minor units 0..2^31-1 in an ISO-4217 currency, stored uppercase", () => {
    expect(Money.create({ amountMinor: 0, currency: "usd" }).toJSON()).toEqual({ amountMinor: 0, currency: "USD" });
    expect(Money.create({ amountMinor: 2147483647, currency: "EUR" }).amountMinor).toBe(2147483647);
    refused(() => Money.create({ amountMinor: -1, currency: "USD" }), "estimatedValue.amountMinor");
    refused(() => Money.create({ amountMinor: 2147483648, currency: "USD" }), "estimatedValue.amountMinor");
    refused(() => Money.create({ amountMinor: 1.5, currency: "USD" }), "estimatedValue.amountMinor");
    refused(() => Money.create({ amountMinor: 1, currency: "ZZZ" }), "estimatedValue.currency");
    refused(() => Money.create({ amountMinor: 1, currency: "US" }), "estimatedValue.currency");
    expect(Money.create({ amountMinor: 5, currency: "jpy" }).equals(Money.create({ amountMinor: 5, currency: "JPY" }))).toBe(true);
  });
});

describe("texts with limits", () => {
  it("a lost reason holds 1..500 and an activity summary 1..2000", () => {
    expect(LostReason.create(" r ".padEnd(500, "r")).value.length).toBeLessThanOrEqual(500);
    expect(LostReason.create("r".repeat(500)).value).toHaveLength(500);
    refused(() => LostReason.create("r".repeat(501)), "reason");
    refused(() => LostReason.create("  "), "reason");
    expect(ActivitySummary.create("s".repeat(2000)).value).toHaveLength(2000);
    refused(() => ActivitySummary.create("s".repeat(2001)), "summary");
    refused(() => ActivitySummary.create(""), "summary");
  });

  it("ids are UUIDs, lowercased", () => {
    expect(parseUuid("7D5E0F7E-1C1A-4D2B-8E7F-3A9B2C1D0E4F", "id")).toBe("7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4f");
    refused(() => parseUuid("7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4", "id"), "id");
    refused(() => parseUuid("not-a-uuid", "leadId"), "leadId");
  });
});
