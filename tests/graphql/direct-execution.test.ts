import { ApolloServer } from "@apollo/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { aCapture, CAPTURE, LEAD, LEADS, PIPELINE } from "../api/operations";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";

// The plain JSON POST is executed without Apollo's request pipeline
// (src/graphql/direct-execution.ts), by code compiled for its document
// (src/graphql/compiled-execution.ts; the test service compiles at first
// sight); it must answer exactly as Apollo (graphql-js) answers the same
// request. `extensions: {}` in the body sends a request to Apollo.

let service: TestService;
let admin: Caller;
let viewer: Caller;
let leadId: string;
let email: string;

beforeAll(async () => {
  service = await startTestService();
  admin = await service.caller({ roles: ["admin"] });
  viewer = await service.caller({ tenantId: admin.tenantId, roles: ["viewer"] });
  const input = aCapture({ company: "Acme" });
  email = input.email as string;
  leadId = dataOf(await admin.gql(CAPTURE, { input })).captureLead.id;
}, 60_000);
afterAll(() => service?.stop());

async function both(caller: Caller, body: Record<string, unknown>) {
  const apollo = vi.spyOn(ApolloServer.prototype, "executeHTTPGraphQLRequest");
  try {
    const headers = { authorization: `Bearer ${caller.token}` };
    const direct = await service.post(body, headers);
    const directCalls = apollo.mock.calls.length;
    const viaApollo = await service.post({ ...body, extensions: {} }, headers);
    return { direct, viaApollo, directCalls, apolloCalls: apollo.mock.calls.length - directCalls };
  } finally {
    apollo.mockRestore();
  }
}

/** Status, content type, and the body in its order (keys and all). */
const answer = async ({ raw, ...body }: { raw: Response }) => ({
  status: raw.status,
  contentType: raw.headers.get("content-type"),
  body: JSON.stringify(body),
});

describe("the direct path", () => {
  it.each([
    ["a lead with its activities", () => ({ query: LEAD, variables: { id: leadId } })],
    ["a page of leads, filtered", () => ({ query: LEADS, variables: { first: 5, filter: { search: "Lead" } } })],
    ["the pipeline summary", () => ({ query: PIPELINE, variables: {} })],
    ["a lead of nobody (null)", () => ({ query: LEAD, variables: { id: "00000000-0000-4000-8000-000000000000" } })],
    ["a resolver's BAD_USER_INPUT", () => ({ query: LEADS, variables: { first: -1 } })],
    ["a duplicate capture (LEAD_ALREADY_EXISTS)", () => ({ query: CAPTURE, variables: { input: { name: "Again", email, source: "OTHER" } } })],
    ["two operations, one named", () => ({ query: `query A { leads(first: 1) { totalCount } } query B { pipelineSummary { totalLeads } }`, operationName: "B" })],
    [
      "fragments, aliases, __typename and @include/@skip from variables",
      () => ({
        query: `query F($with: Boolean!, $without: Boolean!) { first: leads(first: 2) { edges { node { ...L } } }
          again: lead(id: "${leadId}") { __typename ... on Lead { id tags @include(if: $with) score @skip(if: $without) } company @include(if: $without) } }
          fragment L on Lead { id name status owner { __typename id } activities(first: 1) { totalCount } }`,
        variables: { with: true, without: false },
      }),
    ],
    [
      "enum and input variables (filter, order, status list)",
      () => ({ query: LEADS, variables: { first: 3, filter: { status: ["NEW", "CONTACTED"], minScore: 0 }, orderBy: { field: "SCORE", direction: "ASC" } } }),
    ],
    [
      "_entities of two types, one unknown id (null)",
      () => ({
        query: `query E($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Lead { id email } ... on User { assignedLeads(first: 1) { totalCount } } } }`,
        variables: { r: [{ __typename: "Lead", id: leadId }, { __typename: "Lead", id: "00000000-0000-4000-8000-000000000000" }, { __typename: "User", id: "00000000-0000-4000-8000-000000000001" }] },
      }),
    ],
    ["a lead's history", () => ({ query: `query H($id: ID!) { lead(id: $id) { history(first: 5) { totalCount edges { node { type version lead { version } } } } } }`, variables: { id: leadId } })],
    ["a field's error next to data (partial answer)", () => ({ query: `query P($id: ID!) { lead(id: $id) { id activities(first: 0) { totalCount } } ok: lead(id: $id) { id } }`, variables: { id: leadId } })],
  ])("answers %s as Apollo does, without Apollo", async (_name, body) => {
    const { direct, viaApollo, directCalls, apolloCalls } = await both(admin, body());
    expect(directCalls).toBe(0);
    expect(apolloCalls).toBe(1);
    expect(await answer(direct)).toEqual(await answer(viaApollo));
  });

  it("answers a role refusal (FORBIDDEN) as Apollo does", async () => {
    const { direct, viaApollo, directCalls } = await both(viewer, { query: CAPTURE, variables: { input: aCapture() } });
    expect(directCalls).toBe(0);
    expect(direct.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect(await answer(direct)).toEqual(await answer(viaApollo));
  });

  it.each([
    ["a syntax error", { query: "{ leads { id }" }],
    ["a validation error", { query: "{ leads { nope } }" }],
    ["an unknown operation name", { query: "query A { leads { totalCount } }", operationName: "B" }],
    ["a bad variable", { query: LEAD, variables: { id: 5 } }],
    ["a query too complex", { query: `{ leads(first: 100) { edges { node { activities(first: 100) { edges { node { id } } } } } } }` }],
  ])("leaves %s to Apollo, answered as before", async (_name, body) => {
    const { direct, viaApollo } = await both(admin, body);
    expect(direct.errors?.length).toBeGreaterThan(0);
    expect(await answer(direct)).toEqual(await answer(viaApollo));
  });

  it("leaves other content types, Accept headers, GET and batches to Apollo", async () => {
    const apollo = vi.spyOn(ApolloServer.prototype, "executeHTTPGraphQLRequest");
    try {
      const authorization = `Bearer ${admin.token}`;
      const query = `{ leads(first: 1) { totalCount } }`;
      await service.post({ query }, { authorization, accept: "application/graphql-response+json" });
      await service.post([{ query }], { authorization });
      await fetch(`${service.url}?query=${encodeURIComponent(query)}`, { headers: { authorization, "apollo-require-preflight": "1" } });
      expect(apollo.mock.calls.length).toBe(3);
    } finally {
      apollo.mockRestore();
    }
  });
});

describe("compiled execution (production default: on a document's second use)", () => {
  it("answers the first use with graphql-js and the next with the compiled document, the same bytes", async () => {
    const production = await startTestService({}, { compileDocumentsAfterUses: 1 });
    try {
      const caller = await production.caller({ roles: ["admin"] });
      const compiled = async () => Number(/^crm_graphql_documents_compiled_total (\d+)/m.exec(await (await fetch(`${production.url.replace(/\/graphql$/, "")}/metrics`)).text())?.[1]);
      await caller.gql(CAPTURE, { input: aCapture() });
      const before = await compiled();
      const body = { query: LEADS, variables: { first: 5 } };
      const headers = { authorization: `Bearer ${caller.token}` };
      const first = await answer(await production.post(body, headers));
      expect(await compiled()).toBe(before);
      const second = await answer(await production.post(body, headers));
      expect(await compiled()).toBe(before + 1);
      const third = await answer(await production.post(body, headers));
      expect(await compiled()).toBe(before + 1);
      expect(second).toEqual(first);
      expect(third).toEqual(first);
      expect(JSON.parse(first.body).data.leads.edges).toHaveLength(1);
    } finally {
      await production.stop();
    }
  }, 60_000);
});

describe("the direct path in production", () => {
  it("refuses introspection every time the document comes, the cached one too", async () => {
    const production = await startTestService({ NODE_ENV: "production" });
    try {
      for (let k = 0; k < 3; k++) {
        const refused = await production.post({ query: "{ __schema { types { name } } }" });
        expect(refused.errors?.map((error) => error.extensions?.code)).toContain("GRAPHQL_VALIDATION_FAILED");
        expect(refused.data).toBeUndefined();
      }
    } finally {
      await production.stop();
    }
  });
});
