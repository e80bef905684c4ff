import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE } from "../api/operations";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { postGraphQL, startSupergraph, type RunningSupergraph } from "./gateway-harness";

let crm: TestService;
let gateway: RunningSupergraph;
let rep: Caller;
let otherTenant: Caller;
let hints: string[];
const campaignId = randomUUID();

beforeAll(async () => {
  crm = await startTestService();
  rep = await crm.caller({ roles: ["sales_rep"] });
  otherTenant = await crm.caller({ roles: ["admin"] });
  for (let i = 0; i < 3; i++) {
    dataOf(await rep.gql(CAPTURE, { input: aCapture({ ownerId: rep.userId, campaignId, name: `Lead ${i}` }) }));
  }
  dataOf(await otherTenant.gql(CAPTURE, { input: aCapture({ name: "Secret of another tenant", ownerId: rep.userId }) }));
  gateway = await startSupergraph(crm.url, [{ id: rep.userId, name: "Rita Rep", email: "rita@agency.example" }], [{ id: campaignId, name: "Black Friday" }]);
  hints = gateway.hints;
});
afterAll(async () => {
  await gateway?.stop();
  await crm?.stop();
});

const asRep = () => ({ authorization: `Bearer ${rep.token}` });

describe("the CRM subgraph in a composed supergraph", () => {
  it("composes with no hints about this subgraph", () => {
    expect(hints.filter((hint) => /crm|Lead|Money|PageInfo|Campaign/i.test(hint))).toEqual([]);
  });

  it("answers one query with fields of three subgraphs", async () => {
    const response = await postGraphQL(
      gateway.url,
      `{ leads(first: 10) { totalCount edges { node { name owner { id name } campaign { id name } } } } }`,
      {},
      asRep(),
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.leads.totalCount).toBe(3);
    for (const { node } of response.data.leads.edges) {
      expect(node.owner).toEqual({ id: rep.userId, name: "Rita Rep" });
      expect(node.campaign).toEqual({ id: campaignId, name: "Black Friday" });
    }
  });

  it("adds assignedLeads to the identity subgraph's users, within the caller's tenant", async () => {
    const response = await postGraphQL(
      gateway.url,
      `{ users { name assignedLeads(first: 10) { totalCount edges { node { name } } } } }`,
      {},
      asRep(),
    );
    expect(response.errors).toBeUndefined();
    const [user] = response.data.users;
    expect(user.name).toBe("Rita Rep");
    expect(user.assignedLeads.totalCount).toBe(3);
    expect(JSON.stringify(response)).not.toContain("Secret of another tenant");
  });

  it("shares the Relay-complete PageInfo with another subgraph: both directions' fields through the gateway", async () => {
    const response = await postGraphQL(
      gateway.url,
      `{ all: leads(first: 3) { edges { node { name } } }
         leads(last: 2) { edges { node { name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
         campaignPage { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
      {},
      asRep(),
    );
    expect(response.errors).toBeUndefined();
    const names = (connection: any) => connection.edges.map((edge: any) => edge.node.name);
    expect(names(response.data.leads)).toEqual(names(response.data.all).slice(1));
    expect(response.data.leads.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(typeof response.data.leads.pageInfo.startCursor).toBe("string");
    expect(response.data.campaignPage.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: campaignId, endCursor: campaignId });
  });

  it("carries the Authorization header to the subgraph: no token, UNAUTHENTICATED", async () => {
    const response = await postGraphQL(gateway.url, `{ leads { totalCount } }`);
    expect(response.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("resolves User.assignedLeads for 100 users in a constant number of SQL statements", async () => {
    const representations = Array.from({ length: 100 }, (_, i) => ({ __typename: "User", id: i === 0 ? rep.userId : randomUUID() }));
    crm.statements.length = 0;
    const response = await postGraphQL(
      crm.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { assignedLeads(first: 5) { totalCount edges { node { id status } } } } } }`,
      { r: representations },
      asRep(),
    );
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toHaveLength(100);
    expect(response.data._entities[0].assignedLeads.totalCount).toBe(3);
    expect(crm.statements.length).toBeLessThanOrEqual(3);
  });
});
