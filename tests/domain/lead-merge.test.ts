import { describe, expect, it } from "vitest";
import { companyMailDomain, reasonsOf, candidateCount } from "../../src/domain/lead/duplicate-rules";
import { assertImportSize, duplicate } from "../../src/domain/lead/lead-import";
import { mergeLeads } from "../../src/domain/lead/merge-leads";
import { aLead, CAMPAIGN, eventsOf, later, LEAD_ID, OTHER_REP, REP } from "./lead-builder";
import { errorOf as refused } from "./refused";

const DUPLICATE_ID = "66666666-6666-4666-8666-666666666666";

describe("merging a duplicate into its survivor (a domain service over two aggregates)", () => {
  it("fills only what the survivor lacks, unions the tags, counts the moved activities, rescores and bumps the version once", () => {
    const survivor = aLead().named("Sam").withEmail("sam@acme.com").withTags("a", "b").withActivities(1).build();
    const duplicate = aLead()
      .withId(DUPLICATE_ID)
      .named("Samuel")
      .withEmail("samuel@acme.com")
      .withPhone()
      .withCompany("Acme")
      .withOwner(OTHER_REP)
      .inCampaign(CAMPAIGN)
      .worth(100_000)
      .withTags("b", "c")
      .withActivities(2)
      .enrichedWith({ employeeCount: 500 })
      .build();
    const before = survivor.state;
    const result = mergeLeads(survivor, duplicate, later());
    const after = survivor.state;
    expect(result).toEqual({ filled: ["phone", "company", "estimatedValue", "owner", "campaign", "enrichment"], activitiesMoved: 2 });
    expect(after).toMatchObject({
      name: "Sam",
      email: "sam@acme.com",
      source: before.source,
      status: "NEW",
      phone: "+14155550123",
      company: "Acme",
      ownerId: OTHER_REP,
      campaignId: CAMPAIGN,
      estimatedValue: { amountMinor: 100_000, currency: "USD" },
      tags: ["a", "b", "c"],
      activityCount: 3,
      version: before.version + 1,
    });
    expect(after.enrichment).toMatchObject({ employeeCount: 500 });
    // WEBSITE_FORM 20 + phone 10 + company 10 + 3 activities 15 + value 10 + 200+ employees 10.
    expect(after.score).toBe(75);
    expect(eventsOf(survivor)).toEqual([
      ["LeadMerged", before.version + 1, { duplicateId: DUPLICATE_ID, activitiesMoved: 2, filled: result.filled }],
      ["LeadScoreChanged", before.version + 1, { from: before.score, to: 75 }],
    ]);
    expect(eventsOf(duplicate)).toEqual([["LeadDeleted", duplicate.version, { mergedInto: LEAD_ID }]]);
  });

  it("keeps the survivor's owner, company and phone when it has them; no score change, no LeadScoreChanged", () => {
    const survivor = aLead().withOwner(REP).withPhone("+14155550001").withCompany("Mine").build();
    const duplicate = aLead().withId(DUPLICATE_ID).withEmail("dup@example.com").withOwner(OTHER_REP).withPhone("+14155550002").withCompany("Theirs").build();
    expect(mergeLeads(survivor, duplicate, later()).filled).toEqual([]);
    expect(survivor.state).toMatchObject({ ownerId: REP, phone: "+14155550001", company: "Mine" });
    expect(eventsOf(survivor).map(([name]) => name)).toEqual(["LeadMerged"]);
  });

  it("refuses more than 20 tags together (field tags), and nothing changes on either lead", () => {
    const survivor = aLead().withTags(...Array.from({ length: 15 }, (_, i) => `s${i}`)).build();
    const duplicate = aLead().withId(DUPLICATE_ID).withEmail("dup@example.com").withTags(...Array.from({ length: 6 }, (_, i) => `d${i}`)).build();
    const [survivorBefore, duplicateBefore] = [survivor.state, duplicate.state];
    expect(refused(() => mergeLeads(survivor, duplicate, later()))).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "tags" } });
    expect([survivor.state, duplicate.state]).toEqual([survivorBefore, duplicateBefore]);
    expect([survivor.pullEvents(), duplicate.pullEvents()]).toEqual([[], []]);
  });

  it("refuses a converted duplicate (INVALID_TRANSITION from = to = CONVERTED) but takes a converted survivor", () => {
    const survivor = aLead().build();
    const converted = aLead().withId(DUPLICATE_ID).withEmail("dup@example.com").converted().build();
    expect(refused(() => mergeLeads(survivor, converted, later()))).toMatchObject({ code: "INVALID_TRANSITION", details: { from: "CONVERTED", to: "CONVERTED" } });
    expect(survivor.pullEvents()).toEqual([]);

    const convertedSurvivor = aLead().converted().build();
    const duplicate = aLead().withId(DUPLICATE_ID).withEmail("dup@example.com").withPhone().build();
    mergeLeads(convertedSurvivor, duplicate, later());
    expect(convertedSurvivor.state).toMatchObject({ status: "CONVERTED", score: 100, phone: "+14155550123" });
  });

  it("refuses a lead as its own duplicate (field duplicateId)", () => {
    const lead = aLead().build();
    expect(refused(() => mergeLeads(lead, lead, later()))).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "duplicateId" } });
  });
});

describe("duplicate and import rules", () => {
  it("a free-mail domain says nothing about a company; reasons come in the enum's order", () => {
    expect(companyMailDomain("a@Acme-Corp.com")).toBe("acme-corp.com");
    expect(companyMailDomain("a@gmail.com")).toBeNull();
    expect(reasonsOf({ SAME_EMAIL_DOMAIN: true, SAME_PHONE: true, SIMILAR_COMPANY: false, SIMILAR_NAME: true })).toEqual([
      "SIMILAR_NAME",
      "SAME_PHONE",
      "SAME_EMAIL_DOMAIN",
    ]);
    expect(candidateCount(null)).toBe(10);
    for (const first of [0, 51, 1.5]) expect(refused(() => candidateCount(first))).toMatchObject({ details: { field: "first" } });
  });

  it("an import holds 1 to 1,000 rows; a duplicate row is SKIPPED or FAILED by the policy", () => {
    for (const rows of [0, 1001]) expect(refused(() => assertImportSize(rows))).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "leads" } });
    expect(() => assertImportSize(1000)).not.toThrow();
    expect(duplicate("SKIP", "x")).toEqual({ status: "SKIPPED", leadId: null, existingLeadId: "x", error: null });
    expect(duplicate("FAIL", "x")).toMatchObject({ status: "FAILED", existingLeadId: "x", error: { code: "LEAD_ALREADY_EXISTS" } });
  });
});
