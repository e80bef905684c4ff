import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { aCapture, CAPTURE, LOG_ACTIVITY } from "./operations";

let service: TestService;
let caller: Caller;

beforeAll(async () => {
  service = await startTestService();
  caller = await service.caller({ roles: ["admin"] });
  for (let i = 0; i < 55; i++) {
    const lead = dataOf(
      await caller.gql(CAPTURE, { input: aCapture({ ownerId: caller.userId, campaignId: "3f0c2a8e-5b1d-4e7f-9a6c-2d8b1e4f7a90" }) }),
    ).captureLead;
    if (i % 2 === 0) {
      for (let a = 0; a < 4; a++) await caller.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "CALL", summary: `call ${a}` } });
    }
  }
}, 120_000);
afterAll(() => service?.stop());

const isLeadCount = (text: string) => /^\s*SELECT count\(\*\)::int AS count FROM lead\b/i.test(text);
/**
 * The statements but the count of leads: `leads { totalCount }` is cached between changes of
 * the tenant (src/application/queries/cached-lead-count.ts), so it costs one statement or none,
 * depending on what ran before.
 */
function withoutLeadCount(): string[] {
  expect(service.statements.filter(isLeadCount).length).toBeLessThanOrEqual(1);
  return service.statements.filter((text) => !isLeadCount(text));
}

describe("SQL statements per request (BEGIN, COMMIT and the tenant set_config not counted)", () => {
  it("serves a page of 50 leads with activities, owner and campaign in 1, and the count in 1 more unless cached", async () => {
    service.statements.length = 0;
    const page = dataOf(
      await caller.gql(`{ leads(first: 50) { totalCount edges { node { id name owner { id } campaign { id }
        activities(first: 3) { totalCount edges { node { id type occurredAt actor { id } } } } } } } }`),
    ).leads;
    expect(page.edges).toHaveLength(50);
    expect(page.edges.some((edge: any) => edge.node.activities.edges.length === 3)).toBe(true);
    expect(page.edges.every((edge: any) => edge.node.owner.id === caller.userId)).toBe(true);
    expect(withoutLeadCount()).toHaveLength(1);
  });

  it("serves a lead with its activities in 1, and a page of leads without activities in 1", async () => {
    const [first] = dataOf(await caller.gql(`{ leads(first: 1) { edges { node { id } } } }`)).leads.edges;
    service.statements.length = 0;
    const lead = dataOf(await caller.gql(`query($id: ID!) { lead(id: $id) { id activities(first: 10) { edges { node { id } } } } }`, { id: first.node.id })).lead;
    expect(lead.activities.edges).toHaveLength(4);
    expect(service.statements).toHaveLength(1);
    service.statements.length = 0;
    expect(dataOf(await caller.gql(`{ leads(first: 50) { edges { node { id name } } } }`)).leads.edges).toHaveLength(50);
    expect(service.statements).toHaveLength(1);
  });

  it("serves backward pages in the same budget: a page before a cursor with its activities' last page in 1 (and the count), a detail in 1", async () => {
    const forward = dataOf(await caller.gql(`{ leads(first: 52) { pageInfo { endCursor } } }`)).leads;
    service.statements.length = 0;
    const page = dataOf(
      await caller.gql(`query($before: String) { leads(last: 50, before: $before) { totalCount pageInfo { hasNextPage hasPreviousPage }
        edges { node { id activities(last: 3) { pageInfo { hasPreviousPage } edges { node { id } } } } } } }`, { before: forward.pageInfo.endCursor }),
    ).leads;
    expect(page.edges).toHaveLength(50);
    expect(page.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: true });
    expect(page.edges.some((edge: any) => edge.node.activities.edges.length === 3 && edge.node.activities.pageInfo.hasPreviousPage)).toBe(true);
    expect(withoutLeadCount()).toHaveLength(1);

    const busy = page.edges.find((edge: any) => edge.node.activities.edges.length === 3).node;
    const newest = dataOf(await caller.gql(`query($id: ID!) { lead(id: $id) { activities(first: 1) { pageInfo { endCursor } } } }`, { id: busy.id }));
    service.statements.length = 0;
    const detail = dataOf(
      await caller.gql(`query($id: ID!, $after: String) { lead(id: $id) { activities(first: 2, after: $after) { pageInfo { hasPreviousPage hasNextPage } edges { node { id } } } } }`,
        { id: busy.id, after: newest.lead.activities.pageInfo.endCursor }),
    ).lead;
    expect(detail.activities.pageInfo).toEqual({ hasPreviousPage: true, hasNextPage: true });
    expect(service.statements).toHaveLength(1);
  });

  it("captures a lead with its event in 1 (the address lock, the lead and the outbox row together); a duplicate in 2", async () => {
    const ownStatements = () => service.statements.filter((text) => !/crm_claim_outbox|crm_mark_outbox|published_at/i.test(text));
    const input = aCapture();
    service.statements.length = 0;
    const lead = dataOf(await caller.gql(CAPTURE, { input })).captureLead;
    expect(ownStatements()).toHaveLength(1);
    service.statements.length = 0;
    const again = await caller.gql(CAPTURE, { input });
    expect(again.errors?.[0]).toMatchObject({ extensions: { code: "LEAD_ALREADY_EXISTS", existingLeadId: lead.id } });
    expect(ownStatements()).toHaveLength(2);
  });

  it("resolves 100 Lead and 100 User representations in a constant number", async () => {
    const ids = dataOf(await caller.gql(`{ leads(first: 50) { edges { node { id } } } }`)).leads.edges.map((e: any) => e.node.id);
    service.statements.length = 0;
    const reps = [...ids, ...ids].map((id: string) => ({ __typename: "Lead", id }));
    const leads = dataOf(await caller.gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Lead { id } } }`, { r: reps }));
    expect(leads._entities).toHaveLength(100);
    expect(service.statements.length).toBeLessThanOrEqual(1);

    service.statements.length = 0;
    const users = Array.from({ length: 100 }, (_, i) => ({ __typename: "User", id: i === 0 ? caller.userId : crypto.randomUUID() }));
    const result = dataOf(
      await caller.gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on User { assignedLeads(first: 5) { totalCount edges { node { id status } } } } } }`, { r: users }),
    );
    expect(result._entities[0].assignedLeads.edges).toHaveLength(5);
    expect(result._entities[0].assignedLeads.totalCount).toBe(55);
    expect(result._entities[1].assignedLeads.totalCount).toBe(0);
    expect(service.statements.length).toBeLessThanOrEqual(3);
  });
});
