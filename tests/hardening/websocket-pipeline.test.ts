import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { aCapture, CAPTURE, LOG_ACTIVITY } from "../api/operations";
import { openGraphqlSocket, type GraphqlSocket, type SocketOperation } from "../support/graphql-socket";
import { withClient } from "../support/test-database";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";

// Every operation over graphql-ws passes the pipeline HTTP requests pass:
// parse, validate, query limits, roles, a context of its own, the same error
// formatting. Before, a socket with any token skipped all of it.

let service: TestService;
let rep: Caller;
let socket: GraphqlSocket;

beforeAll(async () => {
  service = await startTestService();
  rep = await service.caller({ roles: ["sales_rep"] });
});
afterAll(() => service?.stop());
afterEach(async () => {
  await socket?.dispose();
  vi.restoreAllMocks();
});

const EVENTS = `subscription($leadId: ID) { leadEvents(leadId: $leadId) { type leadId } }`;
const codesOf = (operation: SocketOperation) => operation.errors.map((error) => error.extensions?.code);
const refusal = (query: string, variables?: Record<string, unknown>) => socket.run(query, variables).until((operation) => operation.completed);

describe("graphql-ws carries subscriptions only", () => {
  it("refuses a query and a mutation with BAD_REQUEST for their ids; nothing executes, the socket stays", async () => {
    socket = await openGraphqlSocket(service.url, rep.token);
    expect(codesOf(await refusal("{ leads { totalCount } }"))).toEqual(["BAD_REQUEST"]);
    expect(codesOf(await refusal(CAPTURE, { input: aCapture() }))).toEqual(["BAD_REQUEST"]);
    expect(dataOf(await rep.gql("{ leads { totalCount } }")).leads.totalCount).toBe(0);
    expect(socket.closedWith).toBeNull();
  });
});

describe("the query limits hold over graphql-ws", () => {
  it("refuses too many aliases and too much depth in a subscription with QUERY_TOO_COMPLEX", async () => {
    socket = await openGraphqlSocket(service.url, rep.token);
    const aliases = `subscription { leadEvents { ${Array.from({ length: 60 }, (_, i) => `a${i}: type`).join(" ")} } }`;
    const deep = `subscription { leadEvents { lead { owner { assignedLeads { edges { node { owner { assignedLeads { edges { node { owner { assignedLeads { edges { node { id } } } } } } } } } } } } } } }`;
    for (const query of [aliases, deep]) expect(codesOf(await refusal(query))).toEqual(["QUERY_TOO_COMPLEX"]);
  });
});

describe("a bad subscribe is answered for its own id", () => {
  it("with a coded error, while another subscription on the socket keeps receiving events and nothing is printed", async () => {
    const printed = [vi.spyOn(console, "error"), vi.spyOn(console, "warn"), vi.spyOn(process.stderr, "write")];
    socket = await openGraphqlSocket(service.url, rep.token);
    const live = socket.run(EVENTS);
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the server attach it

    expect(codesOf(await refusal("subscription { leadEvents { "))).toEqual(["GRAPHQL_PARSE_FAILED"]);
    expect(codesOf(await refusal("subscription { leadEvents { noSuchField } }"))).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    const badVariable = await refusal(EVENTS, { leadId: { not: "an id" } });
    expect(codesOf(badVariable)).toEqual(["BAD_USER_INPUT"]);
    expect(badVariable.errors[0].extensions?.field).toBe("leadId");
    const badArgument = await socket.run(EVENTS, { leadId: "not-a-uuid" }).until((operation) => operation.errors.length > 0 || operation.results.length > 0);
    const badArgumentErrors = badArgument.errors.length ? badArgument.errors : badArgument.results[0].errors;
    expect(badArgumentErrors.map((error: any) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(socket.closedWith).toBeNull();

    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    // (Events of other tests' leads may come first: only this one's is awaited.)
    await live.until((operation) => operation.results.some((result) => result.data.leadEvents.leadId === lead.id));
    expect(live.results.find((result) => result.data.leadEvents.leadId === lead.id)?.data.leadEvents.type).toBe("LEAD_CAPTURED");
    expect(live.errors).toEqual([]);
    for (const spy of printed) expect(spy).not.toHaveBeenCalled();
    // Counted like HTTP errors (no HTTP request of this file fails to parse).
    const metrics = await (await fetch(service.url.replace("/graphql", "/metrics"))).text();
    expect(metrics).toMatch(/crm_graphql_errors_total\{code="GRAPHQL_PARSE_FAILED"\} [1-9]/);
  });
});

describe("each event is executed with a context of its own", () => {
  it("a lead's activities logged over HTTP are seen fresh in every event on the same socket", async () => {
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    socket = await openGraphqlSocket(service.url, rep.token);
    const live = socket.run(
      `subscription($leadId: ID) { leadEvents(leadId: $leadId, types: [LEAD_ACTIVITY_LOGGED]) { lead { id activities(first: 10) { edges { node { summary } } } } } }`,
      { leadId: lead.id },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    // One activity per event: each is logged once the event before it was read (the relay is asynchronous,
    // so logging them back to back let an event's read see the next activity too).
    for (const [i, summary] of ["first call", "second call", "third call"].entries()) {
      dataOf(await rep.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "CALL", summary } }));
      await live.until((operation) => operation.results.length === i + 1);
    }
    // The page is read per event (totalCount comes with the event's snapshot, the edges do not).
    const pages = live.results.map((result) => result.data.leadEvents.lead.activities.edges.map((edge: any) => edge.node.summary));
    expect(pages).toEqual([["first call"], ["second call", "first call"], ["third call", "second call", "first call"]]);
  });
});

describe("errors over graphql-ws are formatted as over HTTP", () => {
  it("masks an unexpected failure (no SQL) with INTERNAL_SERVER_ERROR", async () => {
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    socket = await openGraphqlSocket(service.url, rep.token);
    const live = socket.run(
      `subscription($leadId: ID) { leadEvents(leadId: $leadId, types: [LEAD_TAGS_CHANGED]) { type lead { activities(first: 1) { totalCount } } } }`,
      { leadId: lead.id },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The runtime role loses sight of activities: reading them fails with a PostgreSQL error.
    const role = service.database.runtimeRole;
    await withClient(service.database.adminUrl, (client) => client.query(`REVOKE SELECT ON activity FROM ${role}`));
    try {
      dataOf(await rep.gql(`mutation($id: ID!) { tagLead(id: $id, tags: ["masked"]) { id } }`, { id: lead.id }));
      await live.until((operation) => operation.results.length > 0);
    } finally {
      await withClient(service.database.adminUrl, (client) => client.query(`GRANT SELECT ON activity TO ${role}`));
    }
    const [error] = live.results[0].errors;
    expect(error.message).toBe("Internal server error");
    expect(error.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
    expect(JSON.stringify(live.results[0])).not.toMatch(/permission|activity"|SELECT /i);
  });
});

describe("production mode over graphql-ws", () => {
  it("refuses introspection with GRAPHQL_VALIDATION_FAILED, as over HTTP", async () => {
    const production = await startTestService({ NODE_ENV: "production" });
    const viewer = await production.caller({ roles: ["viewer"] });
    const productionSocket = await openGraphqlSocket(production.url, viewer.token);
    try {
      for (const query of ["{ __schema { types { name } } }", `{ __type(name: "Lead") { name } }`]) {
        const operation = await productionSocket.run(query).until((op) => op.completed);
        expect(codesOf(operation).length).toBeGreaterThan(0);
        expect(new Set(codesOf(operation))).toEqual(new Set(["GRAPHQL_VALIDATION_FAILED"]));
      }
      expect(errorOf(await production.post({ query: "{ __schema { types { name } } }" })).code).toBe("GRAPHQL_VALIDATION_FAILED");
    } finally {
      await productionSocket.dispose();
      await production.stop();
    }
  });

  it("outside production the same document passes validation (and is refused only as a query)", async () => {
    socket = await openGraphqlSocket(service.url, rep.token);
    expect(codesOf(await refusal("{ __schema { types { name } } }"))).toEqual(["BAD_REQUEST"]);
  });
});
