import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";
import {
  aCapture, ASSIGN, CAPTURE, CONTACT, CONVERT, DELETE, LEAD, LEADS, LOG_ACTIVITY, LOSE, PIPELINE, QUALIFY, REOPEN, TAG, UNTAG, UPDATE_CONTACT,
} from "./operations";

let service: TestService;
let tenantA: Caller;
let tenantB: Caller;
let leadOfB: any;

beforeAll(async () => {
  service = await startTestService();
  tenantA = await service.caller({ roles: ["admin"] });
  tenantB = await service.caller({ roles: ["admin"] });
  leadOfB = dataOf(await tenantB.gql(CAPTURE, { input: aCapture({ ownerId: tenantB.userId, company: "B Corp" }) })).captureLead;
  await tenantB.gql(LOG_ACTIVITY, { leadId: leadOfB.id, input: { type: "NOTE", summary: "secret of B" } });
  await tenantA.gql(CAPTURE, { input: aCapture() });
});
afterAll(() => service?.stop());

describe("another tenant's lead does not exist for the caller", () => {
  it("is null in lead(id) and absent from leads, search and the pipeline", async () => {
    expect(dataOf(await tenantA.gql(LEAD, { id: leadOfB.id })).lead).toBeNull();
    const listed = dataOf(await tenantA.gql(LEADS, { first: 100 })).leads;
    expect(listed.totalCount).toBe(1);
    expect(JSON.stringify(listed)).not.toContain(leadOfB.id);
    expect(dataOf(await tenantA.gql(LEADS, { filter: { search: "B Corp" } })).leads.totalCount).toBe(0);
    expect(dataOf(await tenantA.gql(LEADS, { filter: { ownerId: tenantB.userId } })).leads.totalCount).toBe(0);
    expect(dataOf(await tenantA.gql(PIPELINE)).pipelineSummary.totalLeads).toBe(1);
  });

  it("fails every mutation with NOT_FOUND and changes nothing", async () => {
    const id = leadOfB.id;
    const attempts: [string, Record<string, unknown>][] = [
      [UPDATE_CONTACT, { input: { id, name: "hijacked" } }],
      [ASSIGN, { id, ownerId: tenantA.userId }],
      [CONTACT, { id }],
      [QUALIFY, { id, value: { amountMinor: 1, currency: "USD" } }],
      [CONVERT, { id }],
      [LOSE, { id, reason: "x" }],
      [REOPEN, { id }],
      [LOG_ACTIVITY, { leadId: id, input: { type: "NOTE", summary: "x" } }],
      [TAG, { id, tags: ["x"] }],
      [UNTAG, { id, tags: ["x"] }],
      [DELETE, { id }],
    ];
    for (const [query, variables] of attempts) {
      const error = errorOf(await tenantA.gql(query, variables));
      expect(error.code, query.slice(0, 30)).toBe("NOT_FOUND");
      expect(JSON.stringify(error)).not.toContain("secret of B");
    }
    const untouched = dataOf(await tenantB.gql(LEAD, { id })).lead;
    expect(untouched).toMatchObject({ version: 2, name: leadOfB.name, tags: [] });
    expect(untouched.activities.totalCount).toBe(1);
  });

  it("resolves another tenant's lead to null in _entities", async () => {
    const query = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Lead { id name } } }`;
    const response = await tenantA.gql(query, { reps: [{ __typename: "Lead", id: leadOfB.id }] });
    expect(dataOf(response)._entities).toEqual([null]);
    const own = await tenantB.gql(query, { reps: [{ __typename: "Lead", id: leadOfB.id }] });
    expect(dataOf(own)._entities).toEqual([{ id: leadOfB.id, name: leadOfB.name }]);
  });

  it("gives another tenant's user no assigned leads through _entities", async () => {
    const query = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id assignedLeads { totalCount edges { node { id } } } } } }`;
    const response = dataOf(await tenantA.gql(query, { reps: [{ __typename: "User", id: tenantB.userId }] }));
    expect(response._entities[0].assignedLeads).toEqual({ totalCount: 0, edges: [] });
  });

  it("ignores a tenant header: the tenant comes from the token only", async () => {
    const response = await service.post(
      { query: LEAD, variables: { id: leadOfB.id } },
      { authorization: `Bearer ${tenantA.token}`, "x-tenant-id": tenantB.tenantId },
    );
    expect(dataOf(response).lead).toBeNull();
  });

  it("refuses a malformed representation with a clear error", async () => {
    const query = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Lead { id } } }`;
    const error = errorOf(await tenantA.gql(query, { reps: [{ __typename: "Lead", id: "x" }] }));
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(dataOf(await tenantA.gql(query, { reps: [{ __typename: "Lead", id: randomUUID() }] }))._entities).toEqual([null]);
  });
});
