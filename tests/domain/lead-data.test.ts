import { describe, expect, it } from "vitest";
import { CompanyName } from "../../src/domain/lead/company-name";
import { Email } from "../../src/domain/lead/email";
import { Lead } from "../../src/domain/lead/lead";
import { LeadName } from "../../src/domain/lead/lead-name";
import { Phone } from "../../src/domain/lead/phone";
import { Tag } from "../../src/domain/lead/tag";
import { aChange, aLead, later, LEAD_ID, NOW, OTHER_REP, REP, TENANT } from "./a-lead";
import { refused } from "./refused";

const numbered = (count: number) => Array.from({ length: count }, (_, i) => `t${i}`);

describe("capturing a lead", () => {
  it("starts NEW at version 1, scored, with nothing lost or converted", () => {
    const lead = aLead().from("REFERRAL").withOwner(REP).withTags("vip", "VIP", "b2b").build();
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
    const original = aLead().withOwner().withTags("a").enrichedWith({ employeeCount: 10 }).qualified().build();
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
  it("changes only the fields given; null clears phone and company", () => {
    const lead = aLead().withPhone().withCompany().build();
    lead.updateContact({ phone: null, company: null }, later());
    expect(lead.state).toMatchObject({ phone: null, company: null, name: "Ada Lovelace", email: "ada@example.com", version: 2, updatedAt: later().now });
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
    expect(lead.state).toMatchObject({ ownerId: OTHER_REP, version: 3, updatedAt: later(2).now });
  });
});

describe("tagging a lead", () => {
  it("adds new tags after the existing ones and removes given ones", () => {
    const lead = aLead().withTags("a").build();
    lead.tag([Tag.create("b"), Tag.create("a")], later());
    lead.untag([Tag.create("a")], later());
    expect(lead.state).toMatchObject({ tags: ["b"], version: 3 });
  });

  it("holds at most 20 tags: one more is bad input and changes nothing", () => {
    const lead = aLead().withTags(...numbered(20)).build();
    refused(() => lead.tag([Tag.create("one-more")], later()), "tags");
    expect(lead.state).toMatchObject({ version: 1, tags: numbered(20) });
    lead.tag([Tag.create("t3")], later());
    expect(lead.version).toBe(1);
  });
});

describe("company enrichment", () => {
  const profile = { domain: "example.com", name: "Example Inc", employeeCount: 250, industry: "Software" };

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

  it("a different profile replaces the last one", () => {
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
  it("takes it one version past its last", () => {
    const lead = aLead().contacted().build();
    lead.markDeleted(later());
    expect(lead.version).toBe(3);
  });
});
