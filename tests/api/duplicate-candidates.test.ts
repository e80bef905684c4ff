import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { CAPTURE } from "./operations";

// RULES: Increment 2a, Duplicates. The similarity values are pg_trgm's similarity() on the lowercased texts.
const CANDIDATES = `query Candidates($leadId: ID!, $first: Int) { duplicateCandidates(leadId: $leadId, first: $first) {
  similarity reasons lead { id name } } }`;

let service: TestService;
let tenant: Caller;
let other: Caller;
const ids: Record<string, string> = {};

async function capture(caller: Caller, key: string, input: Record<string, unknown>): Promise<string> {
  const lead = dataOf(await caller.gql(CAPTURE, { input: { source: "IMPORT", ...input } })).captureLead;
  ids[key] = lead.id;
  return lead.id;
}

beforeAll(async () => {
  service = await startTestService();
  tenant = await service.caller({ roles: ["viewer", "sales_rep"] });
  other = await service.caller({ roles: ["admin"] });
  // Captured one after another: createdAt grows in this order (ties in similarity go newest first).
  await capture(tenant, "target", { name: "Jonathan Smith", company: "Acme Corporation", phone: "+14155550100", email: "jonathan.smith@acme-corp.com" });
  await capture(tenant, "similarName", { name: "Jonathon Smith", email: "jonathon@elsewhere.io" }); // name 0.667
  await capture(tenant, "nearName", { name: "John Smith", email: "john@gmail.com" }); // name 0.444: not similar enough
  await capture(tenant, "similarCompany", { name: "Maria Lopez", company: "ACME Corporation Inc", email: "maria@lopez.net" }); // company 0.810
  await capture(tenant, "justCompany", { name: "Peter Pan", company: "Apex Corporation", email: "peter@apex.org" }); // company 0.619
  await capture(tenant, "nearCompany", { name: "Paula Poe", company: "Acme Corp", email: "paula@poe.org" }); // company 0.5: not similar enough
  await capture(tenant, "samePhone", { name: "Totally Different", phone: "+1 (415) 555-0100", email: "td@different.org" }); // 1.0
  await capture(tenant, "sameDomain", { name: "Zed Zulu", email: "zed@acme-corp.com" }); // 0.5
  await capture(tenant, "everything", { name: "Jon Smith", company: "Acme Corporations", phone: "+14155550100", email: "jon@acme-corp.com" }); // 1.0
  await capture(tenant, "alsoName", { name: "Nathan Smith", email: "nathan@x.io" }); // name 0.647
  await capture(tenant, "gmailTarget", { name: "Gina Mail", email: "gina@gmail.com" });
  await capture(tenant, "gmailOther", { name: "Quentin Quux", email: "quentin@gmail.com" });
  // Another tenant's near-copy of the target: never a candidate.
  await capture(other, "otherTenant", { name: "Jonathan Smith", company: "Acme Corporation", phone: "+14155550100", email: "jonathan.smith@acme-corp.com" });
});
afterAll(() => service?.stop());

describe("duplicateCandidates", () => {
  it("lists exactly the leads for which a reason holds, with the reasons in enum order, rounded similarity, most similar (then newest) first", async () => {
    const found = dataOf(await tenant.gql(CANDIDATES, { leadId: ids.target })).duplicateCandidates;
    expect(found.map((c: any) => [c.lead.id, c.similarity, c.reasons])).toEqual([
      [ids.everything, 1, ["SIMILAR_NAME", "SIMILAR_COMPANY", "SAME_PHONE", "SAME_EMAIL_DOMAIN"]],
      [ids.samePhone, 1, ["SAME_PHONE"]],
      [ids.similarCompany, 0.81, ["SIMILAR_COMPANY"]],
      [ids.similarName, 0.667, ["SIMILAR_NAME"]],
      [ids.alsoName, 0.647, ["SIMILAR_NAME"]],
      [ids.justCompany, 0.619, ["SIMILAR_COMPANY"]],
      [ids.sameDomain, 0.5, ["SAME_EMAIL_DOMAIN"]],
    ]);
    expect(JSON.stringify(found)).not.toContain(ids.otherTenant);
  });

  it("takes first (1..50, default 10), refusing anything else with BAD_USER_INPUT on first", async () => {
    const two = dataOf(await tenant.gql(CANDIDATES, { leadId: ids.target, first: 2 })).duplicateCandidates;
    expect(two.map((c: any) => c.lead.id)).toEqual([ids.everything, ids.samePhone]);
    for (const first of [0, 51, -1]) {
      expect(errorOf(await tenant.gql(CANDIDATES, { leadId: ids.target, first }))).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "first" } });
    }
  });

  it("a free-mail domain is no reason: two gmail.com leads are not duplicates of each other", async () => {
    expect(dataOf(await tenant.gql(CANDIDATES, { leadId: ids.gmailTarget })).duplicateCandidates).toEqual([]);
  });

  it("is symmetric for a phone: the lead with the same number finds the target too", async () => {
    const found = dataOf(await tenant.gql(CANDIDATES, { leadId: ids.samePhone })).duplicateCandidates;
    expect(found.map((c: any) => [c.lead.id, c.reasons])).toEqual([
      [ids.everything, ["SAME_PHONE"]],
      [ids.target, ["SAME_PHONE"]],
    ]);
  });

  it("another tenant's lead is NOT_FOUND, and its leads never appear; a malformed id is BAD_USER_INPUT", async () => {
    expect(errorOf(await tenant.gql(CANDIDATES, { leadId: ids.otherTenant })).code).toBe("NOT_FOUND");
    expect(errorOf(await tenant.gql(CANDIDATES, { leadId: "00000000-0000-4000-8000-000000000000" })).code).toBe("NOT_FOUND");
    expect(errorOf(await tenant.gql(CANDIDATES, { leadId: "nope" }))).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "leadId" } });
    const theirs = dataOf(await other.gql(CANDIDATES, { leadId: ids.otherTenant })).duplicateCandidates;
    expect(theirs).toEqual([]);
  });

  it("is a query: any role reads it, no token is UNAUTHENTICATED", async () => {
    const viewer = await service.caller({ tenantId: tenant.tenantId, roles: ["viewer"] });
    expect(dataOf(await viewer.gql(CANDIDATES, { leadId: ids.target, first: 1 })).duplicateCandidates).toHaveLength(1);
    expect(errorOf(await service.post({ query: CANDIDATES, variables: { leadId: ids.target } })).code).toBe("UNAUTHENTICATED");
  });
});
