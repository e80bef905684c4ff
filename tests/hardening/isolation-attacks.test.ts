import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE, LEADS, TAG } from "../api/operations";
import { subscribe } from "../support/subscriber";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";

let service: TestService;
let attacker: Caller;
let victim: Caller;
let victimLead: any;

beforeAll(async () => {
  service = await startTestService();
  attacker = await service.caller({ roles: ["viewer"] });
  victim = await service.caller({ roles: ["admin"] });
  victimLead = dataOf(await victim.gql(CAPTURE, { input: aCapture({ name: "Victim Lead", company: "Victim Co" }) })).captureLead;
  await attacker.gql(CAPTURE, { input: aCapture() }); // viewer cannot: stays empty
});
afterAll(() => service?.stop());

describe("an attacker holding tenant A's token", () => {
  it("cannot widen roles or switch tenant by editing the token's payload", async () => {
    const [header, , signature] = attacker.token.split(".");
    for (const claims of [
      { sub: attacker.userId, tenant_id: attacker.tenantId, roles: ["admin"] },
      { sub: attacker.userId, tenant_id: victim.tenantId, roles: ["viewer"] },
    ]) {
      const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
      const response = await service.post({ query: "{ leads { totalCount } }" }, { authorization: `Bearer ${forged}` });
      expect(errorOf(response).code).toBe("UNAUTHENTICATED");
    }
  });

  it("gets nothing from a cursor crafted around another tenant's lead", async () => {
    const value = victimLead.createdAt;
    const crafted = `c1.${Buffer.from(JSON.stringify(["CREATED_AT:DESC", new Date(Date.parse(value) + 1000).toISOString(), victimLead.id])).toString("base64url")}`;
    const page = dataOf(await attacker.gql(LEADS, { after: crafted })).leads;
    expect(JSON.stringify(page)).not.toContain(victimLead.id);
    expect(page.edges).toEqual([]);
  });

  it("finds nothing with SQL or LIKE metacharacters in search, and breaks nothing", async () => {
    for (const search of ["'; DROP TABLE lead; --", "%", "_", "\\", "%' OR '1'='1", "Victim%"]) {
      const page = dataOf(await attacker.gql(LEADS, { filter: { search } })).leads;
      expect(page.totalCount, search).toBe(0);
    }
    expect(dataOf(await victim.gql(LEADS, { filter: { search: "victim" } })).leads.totalCount).toBe(1);
  });

  it("receives none of another tenant's events, whatever the subscription arguments", async () => {
    const spy = await subscribe(service.url, attacker.token, undefined, { leadId: victimLead.id });
    await victim.gql(TAG, { id: victimLead.id, tags: ["secret"] });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(spy.received).toEqual([]);
    await spy.dispose();
  });
});
