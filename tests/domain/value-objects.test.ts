import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import { CompanyName } from "../../src/domain/lead/company-name";
import { Email } from "../../src/domain/lead/email";
import { LeadName } from "../../src/domain/lead/lead-name";
import { LostReason } from "../../src/domain/lead/lost-reason";
import { Money } from "../../src/domain/lead/money";
import { Phone } from "../../src/domain/lead/phone";
import { parseUuid } from "../../src/domain/shared/identifier";
import { codePointLength } from "../../src/domain/shared/text";
import { refused } from "./refused";

const emoji = "😀"; // one code point, two UTF-16 units

describe("a lead's name", () => {
  it("is trimmed", () => {
    expect(LeadName.create("  Ada Lovelace \n").value).toBe("Ada Lovelace");
  });

  it("holds 1 to 200 code points", () => {
    expect(LeadName.create("a").value).toBe("a");
    expect(LeadName.create("x".repeat(200)).value).toHaveLength(200);
    refused(() => LeadName.create("x".repeat(201)), "name");
  });

  it("counts an emoji as one character", () => {
    expect(codePointLength(LeadName.create(emoji.repeat(200)).value)).toBe(200);
    refused(() => LeadName.create(emoji.repeat(201)), "name");
  });

  it("is not empty once trimmed", () => {
    refused(() => LeadName.create(""), "name");
    refused(() => LeadName.create(" \t\n "), "name");
  });

  it("is measured after trimming", () => {
    expect(LeadName.create(`  ${"x".repeat(200)}  `).value).toHaveLength(200);
  });

  it("reports the field it was given", () => {
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

  it("holds up to 200 code points", () => {
    expect(CompanyName.create("c".repeat(200))?.value).toHaveLength(200);
    refused(() => CompanyName.create("c".repeat(201)), "company");
    expect(codePointLength(CompanyName.create(emoji.repeat(200))!.value)).toBe(200);
    refused(() => CompanyName.create(emoji.repeat(201)), "company");
  });
});

describe("an email address", () => {
  it("is trimmed and lowercased", () => {
    expect(Email.create("  Ada@Example.COM ").value).toBe("ada@example.com");
  });

  it("knows its domain", () => {
    expect(Email.create("ada.lovelace+crm@mail.example.co.uk").domain).toBe("mail.example.co.uk");
  });

  it("holds up to 254 characters", () => {
    const at254 = `${"l".repeat(64)}@${"a".repeat(61)}.${"b".repeat(61)}.${"c".repeat(61)}.com`;
    expect(at254).toHaveLength(254);
    expect(Email.create(at254).value).toBe(at254);
    const at255 = `${"l".repeat(64)}@${"a".repeat(62)}.${"b".repeat(61)}.${"c".repeat(61)}.com`;
    expect(at255).toHaveLength(255);
    expect(refused(() => Email.create(at255), "email")).toBe("email must be at most 254 characters long (got 255)");
  });

  it("is measured after trimming", () => {
    const at254 = `${"l".repeat(64)}@${"a".repeat(61)}.${"b".repeat(61)}.${"c".repeat(61)}.com`;
    expect(Email.create(`  ${at254}  `).value).toBe(at254);
  });

  it("has a local part of up to 64 characters", () => {
    expect(Email.create(`${"l".repeat(64)}@example.com`).value).toHaveLength(76);
    refused(() => Email.create(`${"l".repeat(65)}@example.com`), "email");
  });

  it("has domain labels of letters, digits and inner hyphens, and a top-level domain of 2+ letters", () => {
    expect(Email.create("a@my-company.io").domain).toBe("my-company.io");
    expect(Email.create("a@x1.example.museum").domain).toBe("x1.example.museum");
    refused(() => Email.create("a@-example.com"), "email");
    refused(() => Email.create("a@example-.com"), "email");
    refused(() => Email.create("a@example.c"), "email");
    refused(() => Email.create("a@example.c0m"), "email");
    refused(() => Email.create("a@exa_mple.com"), "email");
    refused(() => Email.create("a@example..com"), "email");
  });

  it("refuses what is not an address", () => {
    const notAddresses = [
      "",
      "   ",
      "ada",
      "ada@",
      "@example.com",
      "ada@example",
      "ada @example.com",
      "ada@exa mple.com",
      "ada@@example.com",
      "ada@bob@example.com",
      "ada@example.com.",
      ".ada@example.com",
      "a..b@example.com",
      "ada@.example.com",
      "adä@example.com",
    ];
    for (const bad of notAddresses) refused(() => Email.create(bad), "email");
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
    expect(Phone.create(" +49 30\t1234-5678 ")?.value).toBe("+493012345678");
  });

  it("is absent when null or undefined", () => {
    expect(Phone.create(null)).toBeNull();
    expect(Phone.create(undefined)).toBeNull();
  });

  it("is E.164: a + and 7 to 15 digits", () => {
    refused(() => Phone.create("+123456"), "phone"); // 6 digits
    expect(Phone.create("+1234567")?.value).toBe("+1234567"); // 7
    expect(Phone.create("+123456789012345")?.value).toBe("+123456789012345"); // 15
    refused(() => Phone.create("+1234567890123456"), "phone"); // 16
  });

  it("starts with a country code, never 0", () => {
    refused(() => Phone.create("+0123456789"), "phone");
  });

  it("refuses numbers without +, letters, other separators and blanks", () => {
    for (const bad of ["4155550123", "0014155550123", "+1 415 555 CALL", "+1/415/5550123", "++14155550123", "", "  ", "()-."]) {
      refused(() => Phone.create(bad), "phone");
    }
  });

  it("equals the same number written differently", () => {
    expect(Phone.create("+1 415 555 0123")!.equals(Phone.create("+1-415-555-0123"))).toBe(true);
    expect(Phone.create("+1 415 555 0123")!.equals(null)).toBe(false);
  });
});

describe("money", () => {
  const usd = (amountMinor: number) => Money.create({ amountMinor, currency: "USD" });

  it("is a whole amount of minor units from 0 to 2^31-1", () => {
    expect(usd(0).amountMinor).toBe(0);
    expect(usd(2147483647).amountMinor).toBe(2147483647);
    refused(() => usd(-1), "estimatedValue.amountMinor");
    refused(() => usd(2147483648), "estimatedValue.amountMinor");
    refused(() => usd(1.5), "estimatedValue.amountMinor");
    refused(() => usd(Number.NaN), "estimatedValue.amountMinor");
    refused(() => usd(Number.POSITIVE_INFINITY), "estimatedValue.amountMinor");
    refused(() => Money.create({ amountMinor: "100" as unknown as number, currency: "USD" }), "estimatedValue.amountMinor");
  });

  it("is in an ISO-4217 currency, case-insensitive, stored uppercase", () => {
    expect(Money.create({ amountMinor: 1, currency: "usd" }).currency).toBe("USD");
    expect(Money.create({ amountMinor: 1, currency: "eUr" }).currency).toBe("EUR");
    for (const bad of ["XXX1", "ZZZ", "US", "USDD", "", " usd"]) {
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
    expect(Money.create({ amountMinor: 250, currency: "eur" }).toJSON()).toEqual({ amountMinor: 250, currency: "EUR" });
    expect(JSON.parse(JSON.stringify(usd(7)))).toEqual({ amountMinor: 7, currency: "USD" });
  });
});

describe("a lost reason", () => {
  it("is trimmed and holds 1 to 500 code points", () => {
    expect(LostReason.create("  No budget ").value).toBe("No budget");
    expect(LostReason.create("r".repeat(500)).value).toHaveLength(500);
    refused(() => LostReason.create("r".repeat(501)), "reason");
    expect(codePointLength(LostReason.create(emoji.repeat(500)).value)).toBe(500);
    refused(() => LostReason.create(emoji.repeat(501)), "reason");
    refused(() => LostReason.create(""), "reason");
    refused(() => LostReason.create("  "), "reason");
  });
});

describe("an activity summary", () => {
  it("is trimmed and holds 1 to 2000 code points", () => {
    expect(ActivitySummary.create(" Called, left a message ").value).toBe("Called, left a message");
    expect(ActivitySummary.create("s".repeat(2000)).value).toHaveLength(2000);
    refused(() => ActivitySummary.create("s".repeat(2001)), "summary");
    expect(codePointLength(ActivitySummary.create(emoji.repeat(2000)).value)).toBe(2000);
    refused(() => ActivitySummary.create(emoji.repeat(2001)), "summary");
    refused(() => ActivitySummary.create(""), "summary");
    refused(() => ActivitySummary.create("\n"), "summary");
  });
});

describe("an id", () => {
  it("is any RFC-4122-shaped UUID, lowercased", () => {
    expect(parseUuid("7D5E0F7E-1C1A-4D2B-8E7F-3A9B2C1D0E4F", "id")).toBe("7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4f");
    expect(parseUuid("00000000-0000-0000-0000-000000000000", "id")).toBe("00000000-0000-0000-0000-000000000000");
    expect(parseUuid("01890a5d-ac96-774b-bcce-b302099a8057", "id")).toBe("01890a5d-ac96-774b-bcce-b302099a8057"); // v7
  });

  it("refuses anything else, naming the argument", () => {
    const notUuids = [
      "",
      "not-a-uuid",
      "7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4", // one short
      "7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4f0", // one long
      "7d5e0f7e1c1a4d2b8e7f3a9b2c1d0e4f", // no dashes
      "{7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4f}",
      " 7d5e0f7e-1c1a-4d2b-8e7f-3a9b2c1d0e4f",
      "7d5e0f7g-1c1a-4d2b-8e7f-3a9b2c1d0e4f",
    ];
    for (const bad of notUuids) refused(() => parseUuid(bad, "leadId"), "leadId");
    expect(refused(() => parseUuid("42", "ownerId"), "ownerId")).toBe('ownerId: "42" is not a valid UUID');
  });
});
