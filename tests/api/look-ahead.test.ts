import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { aCapture, CAPTURE, LOG_ACTIVITY } from "./operations";

// A page of leads (and a lead's detail) fetches the activities it selects in
// the same statement. Whatever way they are fetched, the answer must be the
// one the activities field gives on its own: `@include(if: true)` and aliases
// with different arguments turn the look-ahead off, so they are the reference.

let service: TestService;
let caller: Caller;
const leadIds: string[] = [];

beforeAll(async () => {
  service = await startTestService();
  caller = await service.caller({ roles: ["admin"] });
  for (let i = 0; i < 6; i++) {
    const lead = dataOf(await caller.gql(CAPTURE, { input: aCapture() })).captureLead;
    leadIds.push(lead.id);
    for (let a = 0; a < i; a++) await caller.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "NOTE", summary: `note ${a} of ${i}` } });
  }
}, 60_000);
afterAll(() => service?.stop());

const ACTIVITY_PAGE = `totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id type summary occurredAt actor { id } } }`;

describe("activities fetched with their leads", () => {
  it("gives the same pages, cursors included, as the field fetched on its own", async () => {
    const list = (activities: string) => `query($first: Int) { leads(first: 10) { edges { node { id ${activities} } } } }`;
    for (const variables of [{ first: 2 }, { first: 20 }]) {
      const ahead = dataOf(await caller.gql(list(`activities(first: $first) { ${ACTIVITY_PAGE} }`), variables)).leads;
      const apart = dataOf(await caller.gql(list(`activities(first: $first) @include(if: true) { ${ACTIVITY_PAGE} }`), variables)).leads;
      expect(ahead).toEqual(apart);
      expect(ahead.edges.some((edge: any) => edge.node.activities.pageInfo.hasNextPage)).toBe(variables.first === 2);
    }
    // The next page through a cursor of the first, both ways.
    const withMost = leadIds[5];
    const cursor = dataOf(await caller.gql(`query($id: ID!) { lead(id: $id) { activities(first: 2) { pageInfo { endCursor } } } }`, { id: withMost })).lead.activities.pageInfo.endCursor;
    const detail = (include: string) => `query($id: ID!, $after: String) { lead(id: $id) { id activities(first: 2, after: $after) ${include} { ${ACTIVITY_PAGE} } } }`;
    const ahead = dataOf(await caller.gql(detail(""), { id: withMost, after: cursor })).lead;
    const apart = dataOf(await caller.gql(detail("@include(if: true)"), { id: withMost, after: cursor })).lead;
    expect(ahead).toEqual(apart);
    expect(ahead.activities.edges.map((edge: any) => edge.node.summary)).toEqual(["note 2 of 5", "note 1 of 5"]);
  });

  it("serves two aliases with different arguments each their own page", async () => {
    const both = dataOf(
      await caller.gql(`query($id: ID!) { lead(id: $id) { latest: activities(first: 1) { edges { node { summary } } } more: activities(first: 3) { edges { node { summary } } } } }`, {
        id: leadIds[5],
      }),
    ).lead;
    expect(both.latest.edges.map((edge: any) => edge.node.summary)).toEqual(["note 4 of 5"]);
    expect(both.more.edges.map((edge: any) => edge.node.summary)).toEqual(["note 4 of 5", "note 3 of 5", "note 2 of 5"]);
  });

  it("follows fragments, and leaves bad paging to the activities field to refuse", async () => {
    const viaFragment = dataOf(
      await caller.gql(`query($id: ID!) { lead(id: $id) { ...Recent } } fragment Recent on Lead { activities(first: 1) { edges { node { summary } } } }`, { id: leadIds[5] }),
    ).lead;
    expect(viaFragment.activities.edges[0].node.summary).toBe("note 4 of 5");
    const refused = await caller.gql(`{ leads(first: 5) { edges { node { id activities(first: 0) { totalCount } } } } }`);
    expect(errorOf(refused)).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "first" } });
    expect(refused.errors?.[0].path).toEqual(["leads", "edges", 0, "node", "activities"]);
  });

  it("answers null for a lead of another tenant, with or without activities", async () => {
    const stranger = await service.caller({ roles: ["admin"] });
    for (const query of [`query($id: ID!) { lead(id: $id) { id } }`, `query($id: ID!) { lead(id: $id) { id activities { totalCount } } }`]) {
      expect(dataOf(await stranger.gql(query, { id: leadIds[5] })).lead).toBeNull();
    }
  });
});
