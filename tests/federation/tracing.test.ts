import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE } from "../api/operations";
import { createLogger } from "../../src/infrastructure/logger";
import { aTraceparent, startOtlpReceiver, textsOf, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver";
import { eventually } from "../support/redis-streams";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { postGraphQL, startSupergraph, type RunningSupergraph } from "./gateway-harness";

/*
 * Tracing behind a gateway: the subgraph exports to an OTLP/HTTP receiver of
 * this file's own (protobuf, the default protocol), and the gateway forwards
 * the caller's `traceparent` as the Router does with trace_context propagation.
 */
const SERVER = 2; // OTLP's SpanKind numbers
const CLIENT = 3;

let receiver: OtlpReceiver;
let crm: TestService;
let gateway: RunningSupergraph;
let rep: Caller;
const logLines: Record<string, any>[] = [];
const secretWord = `Zebulon${randomUUID().slice(0, 6)}`;
const leads = Array.from({ length: 3 }, (_, i) => ({ name: `${secretWord} Person ${i}`, email: `${secretWord.toLowerCase()}.${i}@private-mail.example` }));

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  crm = await startTestService(
    { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: "50", OTEL_SERVICE_NAME: "crm-under-test" },
    { logger: createLogger("info", { write: (line: string) => void logLines.push(JSON.parse(line)) }) },
  );
  rep = await crm.caller({ roles: ["sales_rep"] });
  for (const lead of leads) dataOf(await rep.gql(CAPTURE, { input: aCapture({ ...lead, ownerId: rep.userId, phone: "+4915112345678" }) }));
  gateway = await startSupergraph(crm.url, [{ id: rep.userId, name: "Rita Rep", email: "rita@agency.example" }], []);
});
afterAll(async () => {
  await gateway?.stop();
  await crm?.stop();
  await receiver?.stop();
});

const inTrace = (traceId: string) => receiver.spans.filter((span) => span.traceId === traceId);
const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) => spans.filter((span) => span.parentSpanId === parent.spanId);

/** Waits for the trace's spans until `complete` says they are all there (export is batched). */
async function traceOf(traceId: string, complete: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  return eventually(async () => inTrace(traceId), complete, 15_000);
}

/** Every span but the root hangs off another span of the trace: one tree under the caller's span. */
function expectOneTreeUnder(spans: ReceivedSpan[], callerSpanId: string): ReceivedSpan {
  const ids = new Set(spans.map((span) => span.spanId));
  const roots = spans.filter((span) => !ids.has(span.parentSpanId));
  expect(roots.map((span) => span.parentSpanId)).toEqual([callerSpanId]);
  return roots[0];
}

function expectNoPersonalData(spans: ReceivedSpan[], secrets: string[]): void {
  const texts = spans.flatMap(textsOf);
  for (const secret of secrets) expect(texts.filter((text) => text.toLowerCase().includes(secret.toLowerCase()))).toEqual([]);
  expect(texts.filter((text) => /[\w.+-]+@[\w-]+\.\w/.test(text))).toEqual([]);
}

describe("traces behind the gateway (W3C traceparent from the caller)", () => {
  it("a query: the operation's span continues the caller's trace; the look-ahead fetch and its SQL hang below it", async () => {
    const caller = aTraceparent();
    const response = await postGraphQL(
      gateway.url,
      `query RepLeads($search: String) { leads(first: 10, filter: { search: $search }) { edges { node { name email phone owner { name } activities(first: 3) { totalCount } } } } }`,
      { search: secretWord },
      { authorization: `Bearer ${rep.token}`, traceparent: caller.traceparent },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.leads.edges).toHaveLength(3);

    const spans = await traceOf(caller.traceId, (found) => found.some((span) => span.kind === SERVER) && found.some((span) => span.attributes["db.system.name"] === "postgresql"));
    const operation = expectOneTreeUnder(spans, caller.spanId);
    expect(operation.kind).toBe(SERVER);
    // The gateway names its subgraph fetches after the client's operation.
    expect(operation.name).toMatch(/^query RepLeads__crm__\d+$/);
    expect(operation.attributes).toMatchObject({
      "graphql.operation.type": "query",
      "graphql.operation.root_fields": ["leads"],
      "http.request.method": "POST",
      "http.response.status_code": 200,
    });
    expect(operation.resource["service.name"]).toBe("crm-under-test");

    const [lookAhead] = childrenOf(spans, operation).filter((span) => span.name === "look-ahead leads with activities");
    expect(lookAhead).toBeDefined();
    const statements = spans.filter((span) => span.attributes["db.system.name"] === "postgresql");
    expect(statements.every((span) => span.kind === CLIENT)).toBe(true);
    // The list statement (with its activities) ran inside the look-ahead span; its shape, never its values.
    const list = childrenOf(spans, lookAhead).filter((span) => span.attributes["db.system.name"] === "postgresql");
    expect(list.length).toBeGreaterThan(0);
    expect(list.some((span) => /^SELECT\b/.test(String(span.attributes["db.query.text"])) && String(span.attributes["db.query.text"]).includes("$"))).toBe(true);
    // The read transaction's tenant setting is written into its text: it leaves as `?`.
    expect(statements.map((span) => String(span.attributes["db.query.text"])).filter((text) => text.includes(rep.tenantId))).toEqual([]);

    expectNoPersonalData(spans, [secretWord, rep.token, "+4915112345678", ...leads.flatMap((lead) => [lead.name, lead.email])]);
  });

  it("an entity fetch (_entities for the identity subgraph's users): a DataLoader batch span with its statements", async () => {
    const caller = aTraceparent();
    const response = await postGraphQL(
      gateway.url,
      `query TeamBoard { users { name assignedLeads(first: 10) { totalCount edges { node { name } } } } }`,
      {},
      { authorization: `Bearer ${rep.token}`, traceparent: caller.traceparent, tracestate: "router=abc" },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.users[0].assignedLeads.totalCount).toBe(3);

    const spans = await traceOf(caller.traceId, (found) => found.some((span) => span.name.startsWith("DataLoader")) && found.some((span) => span.kind === SERVER));
    const operation = expectOneTreeUnder(spans, caller.spanId);
    expect(operation.attributes["graphql.operation.root_fields"]).toEqual(["_entities"]);
    const [batch] = childrenOf(spans, operation).filter((span) => span.name === "DataLoader assignedLeads");
    expect(batch.attributes).toMatchObject({ "crm.dataloader.name": "assignedLeads", "crm.dataloader.batch_size": 1 });
    await traceOf(caller.traceId, (found) => found.some((span) => span.parentSpanId === batch.spanId));
    expect(childrenOf(inTrace(caller.traceId), batch).every((span) => span.attributes["db.system.name"] === "postgresql")).toBe(true);
    expectNoPersonalData(inTrace(caller.traceId), [secretWord, rep.token, ...leads.flatMap((lead) => [lead.name, lead.email])]);
  });

  it("without a traceparent a request starts a trace of its own; its log line names the trace and span", async () => {
    const before = new Set(receiver.spans.map((span) => span.traceId));
    const requestId = `trace-log-${randomUUID()}`;
    const raw = await fetch(crm.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${rep.token}`, "x-request-id": requestId },
      body: JSON.stringify({ query: "query Board { pipelineSummary { totalLeads } }" }),
    });
    expect(raw.status).toBe(200);
    const spans = await eventually(
      async () => receiver.spans.filter((span) => span.name === "query Board" && !before.has(span.traceId)),
      (found) => found.length > 0,
    );
    const [root] = spans;
    expect(root.parentSpanId).toBe("");
    const line = logLines.find((entry) => entry.requestId === requestId && entry.msg === "graphql request");
    expect(line).toMatchObject({ trace_id: root.traceId, span_id: root.spanId });
    // Lines outside any request carry no trace.
    expect(logLines.find((entry) => entry.msg === "CRM subgraph ready")).not.toHaveProperty("trace_id");
  });

  it("exports over OTLP/HTTP with protobuf, the specification's default", () => {
    expect(receiver.contentTypes.length).toBeGreaterThan(0);
    expect(receiver.contentTypes.every((type) => type.startsWith("application/x-protobuf"))).toBe(true);
  });
});
