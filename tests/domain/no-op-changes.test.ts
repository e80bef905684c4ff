import { describe, expect, it } from "vitest";
import { CompanyName } from "../../src/domain/lead/company-name";
import { Email } from "../../src/domain/lead/email";
import type { Lead } from "../../src/domain/lead/lead";
import { LeadName } from "../../src/domain/lead/lead-name";
import { Phone } from "../../src/domain/lead/phone";
import { Tag } from "../../src/domain/lead/tag";
import { aLead, later, REP } from "./a-lead";

const PROFILE = { domain: "example.com", name: "Example Inc", employeeCount: 50, industry: "Software" };

/** A lead that already has an owner, contact data, a tag and an enrichment. */
const settled = () => aLead().withOwner(REP).withPhone().withCompany("Acme").withTags("vip").enrichedWith(PROFILE).build();

const nothingChanges: [string, (lead: Lead) => void][] = [
  ["assigning the same owner", (lead) => lead.assign(REP, later())],
  ["updating contact data with nothing", (lead) => lead.updateContact({}, later())],
  [
    "updating contact data with identical values",
    (lead) =>
      lead.updateContact(
        { name: LeadName.create(" Ada Lovelace "), email: Email.create("ADA@example.com"), phone: Phone.create("+1 (415) 555-0123"), company: CompanyName.create("Acme") },
        later(),
      ),
  ],
  ["tagging with a tag already there, in another case", (lead) => lead.tag([Tag.create("VIP")], later())],
  ["tagging with no tags", (lead) => lead.tag([], later())],
  ["untagging a tag that is not there", (lead) => lead.untag([Tag.create("absent")], later())],
  ["recording the same enrichment again", (lead) => lead.recordEnrichment({ ...PROFILE }, later())],
];

describe("a command that changes nothing", () => {
  for (const [what, run] of nothingChanges) {
    it(`${what} records no event and keeps version and updatedAt`, () => {
      const lead = settled();
      const before = lead.state;
      run(lead);
      expect(lead.pullEvents()).toEqual([]);
      expect(lead.state).toEqual(before);
    });
  }

  it("clearing a phone or company that is already empty", () => {
    const lead = aLead().build();
    const before = lead.state;
    lead.updateContact({ phone: null, company: null }, later());
    expect(lead.pullEvents()).toEqual([]);
    expect(lead.state).toEqual(before);
  });
});
