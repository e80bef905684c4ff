import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { aCapture, CAPTURE, LEAD } from "../api/operations";
import { aTraceparent, startOtlpReceiver, textsOf, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver";
import { eventually, streamEventsOf } from "../support/redis-streams";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { ChildRedis, redisServerBinary, withAdmin } from "./stream-checks";

/*
 * One trace from a capture to its enrichment: the mutation's span, the
 * relay's publish of LeadCaptured, the enrichment consumer's handling, its
 * call to the company directory (a local server that records the
 * `traceparent` it receives) and the LeadEnriched publish that follows. The
 * service exports OTLP/HTTP JSON to a receiver of this file's own, and gets a
 * redis-server of its own when one is installed (the consumer group must not
 * take other files' messages).
 */
const sharedRedisUrl = inject("redisUrl");
const runnable = !!redisServerBinary || !!sharedRedisUrl;
const SERVER = 2; // OTLP's SpanKind numbers
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;
const API_KEY = `directory-key-${randomUUID()}`;

const directoryCalls: { domain: string; traceparent: string | undefined }[] = [];
let directory: Server;
let receiver: OtlpReceiver;
let ownRedis: ChildRedis | undefined;
let redis: Redis;
let service: TestService;
let rep: Caller;

beforeAll(async () => {
  if (!runnable) return;
  directory = createServer((req, res) => {
    const match = /^\/companies\/([^/?]+)$/.exec(req.url ?? "");
    if (!match || req.headers.authorization !== `Bearer ${API_KEY}`) return void res.writeHead(404).end();
    directoryCalls.push({ domain: decodeURIComponent(match[1]), traceparent: req.headers.traceparent as string | undefined });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ name: "Acme Corp", employeeCount: 250, industry: "Manufacturing" }));
  });
  await new Promise<void>((resolve) => directory.listen(0, "127.0.0.1", resolve));
  receiver = await startOtlpReceiver();
  if (redisServerBinary) ownRedis = await ChildRedis.start();
  const redisUrl = ownRedis?.url ?? (sharedRedisUrl as string);
  service = await startTestService(
    {
      REDIS_URL: redisUrl,
      ENRICHMENT_API_URL: `http://127.0.0.1:${(directory.address() as AddressInfo).port}`,
      ENRICHMENT_API_KEY: API_KEY,
      // The signal's own endpoint (taken as is) and JSON: the other spellings than the federation test's.
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "50",
    },
    { enrichmentBackoffBaseMs: 20 },
  );
  redis = new Redis(redisUrl);
  rep = await service.caller({ roles: ["sales_rep"] });
  // The consumer creates its group at "$" when it starts: capture nothing before the group is there.
  await eventually(
    async () => ((await redis.xinfo("GROUPS", "events:LeadCaptured").catch(() => [])) as unknown[][]).some((group) => group.includes("crm-enrichment")),
    Boolean,
  );
});
afterAll(async () => {
  redis?.disconnect();
  await service?.stop();
  await ownRedis?.halt();
  await receiver?.stop();
  directory?.closeAllConnections();
  await new Promise((resolve) => (directory ? directory.close(resolve) : resolve(undefined)));
});

/** The answer and how many times Apollo's pipeline ran for it (read before the spy is restored: restoring clears its calls). */
async function viaWhichPath<T extends object>(send: () => Promise<T>): Promise<T & { apolloCalls: number }> {
  const apollo = vi.spyOn(ApolloServer.prototype, "executeHTTPGraphQLRequest");
  try {
    const answer = await send();
    return Object.assign(answer, { apolloCalls: apollo.mock.calls.length });
  } finally {
    apollo.mockRestore();
  }
}

const inTrace = (traceId: string) => receiver?.spans.filter((span) => span.traceId === traceId) ?? [];
const one = (spans: ReceivedSpan[], name: string) => {
  const found = spans.filter((span) => span.name === name);
  expect(found.map((span) => span.name)).toEqual([name]);
  return found[0];
};

describe.skipIf(!runnable && !process.env.CI)("one trace from a capture through relay, stream and enrichment", () => {
  it("mutation -> publish LeadCaptured -> process -> GET (traceparent sent) -> LeadEnriched, linked to the relay's batch", async () => {
    const caller = aTraceparent();
    const domain = `${randomUUID().slice(0, 12)}.example`;
    const input = aCapture({ name: `Quentin ${randomUUID().slice(0, 6)}`, email: `quentin.${randomUUID().slice(0, 6)}@${domain}`, phone: "+4915187654321" });
    // Traced, the plain JSON POST still takes the direct path (src/graphql/direct-execution.ts), not Apollo's.
    const captured = await viaWhichPath(() => service.post({ query: CAPTURE, variables: { input } }, { authorization: `Bearer ${rep.token}`, traceparent: caller.traceparent }));
    expect(captured.apolloCalls).toBe(0);
    const lead = dataOf(captured).captureLead;
    await eventually(async () => dataOf(await rep.gql(LEAD, { id: lead.id })).lead, (found) => found.enrichment !== null, 20_000);

    const spans = await eventually(
      async () => inTrace(caller.traceId),
      (found) => found.some((span) => span.name === "publish LeadEnriched") && found.some((span) => span.name === "process events:LeadCaptured"),
      20_000,
    );
    // The capture's span continues the caller's.
    const mutation = one(spans.filter((span) => span.kind === SERVER), "mutation Capture");
    expect(mutation.parentSpanId).toBe(caller.spanId);
    expect(mutation.attributes["graphql.operation.root_fields"]).toEqual(["captureLead"]);
    // Its outbox row kept the mutation's context: the relay's event span is its child ...
    const published = one(spans, "publish LeadCaptured");
    expect(published).toMatchObject({ kind: PRODUCER, parentSpanId: mutation.spanId });
    expect(published.attributes).toMatchObject({ "messaging.destination.name": "events:LeadCaptured", "messaging.operation.type": "create" });
    // ... and links to the relay's batch, a trace of its own that links back to the mutation.
    const batch = receiver.spans.find((span) => span.spanId === published.links[0]?.spanId);
    expect(batch?.name).toBe("outbox relay publish");
    expect(batch?.links).toContainEqual({ traceId: caller.traceId, spanId: mutation.spanId });
    expect(receiver.spans.some((span) => span.parentSpanId === batch?.spanId && span.attributes["db.system.name"] === "redis")).toBe(true);

    // The stream entry carries the event span's traceparent.
    const [entry] = (await streamEventsOf(redis, rep.tenantId, ["events:LeadCaptured"])).filter((event) => event.fields.aggregate_id === lead.id);
    expect(entry.fields.traceparent).toBe(`00-${caller.traceId}-${published.spanId}-01`);
    const [row] = await withAdmin(service.database.adminUrl, async (db) => (await db.query("SELECT traceparent FROM outbox WHERE aggregate_id = $1 AND event_type = 'LeadCaptured'", [lead.id])).rows);
    expect(row.traceparent).toBe(`00-${caller.traceId}-${mutation.spanId}-01`);

    // The consumer continues it; its Redis commands and the directory call hang below.
    const processed = one(spans, "process events:LeadCaptured");
    expect(processed).toMatchObject({ kind: CONSUMER, parentSpanId: published.spanId });
    expect(processed.attributes).toMatchObject({ "messaging.consumer.group.name": "crm-enrichment", "messaging.message.id": entry.id });
    const below = spans.filter((span) => span.parentSpanId === processed.spanId);
    expect(below.filter((span) => span.attributes["db.system.name"] === "redis").map((span) => span.name).sort()).toEqual(["EXISTS", "SET", "XACK"]);
    const call = one(below, "GET");
    expect(call).toMatchObject({ kind: CLIENT });
    expect(call.attributes).toMatchObject({ "http.request.method": "GET", "url.template": "/companies/{domain}", "http.response.status_code": 200 });
    expect(directoryCalls.filter((c) => c.domain === domain).map((c) => c.traceparent)).toEqual([`00-${caller.traceId}-${call.spanId}-01`]);
    // Recording the profile: its statements and its own events, in the same trace.
    expect(below.some((span) => span.attributes["db.system.name"] === "postgresql")).toBe(true);
    expect(one(spans, "publish LeadEnriched").parentSpanId).toBe(processed.spanId);

    // Nothing personal anywhere in the trace or the relay's batches.
    const everything = [...spans, ...receiver.spans.filter((span) => span.name === "outbox relay publish")];
    const texts = everything.flatMap(textsOf);
    for (const secret of [input.name, input.email, domain, "+4915187654321", rep.token, API_KEY]) {
      expect(texts.filter((text) => text.toLowerCase().includes(secret.toLowerCase()))).toEqual([]);
    }
    expect(receiver.contentTypes.every((type) => type.startsWith("application/json"))).toBe(true);
  });

  it("a capture without a traceparent still makes one trace of its own down to the enrichment call", async () => {
    const domain = `${randomUUID().slice(0, 12)}.example`;
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture({ email: `nora.${randomUUID().slice(0, 6)}@${domain}` }) })).captureLead;
    const call = await eventually(async () => directoryCalls.find((c) => c.domain === domain), Boolean, 20_000);
    const traceId = call!.traceparent!.split("-")[1];
    // A span is exported when it ends: the handling ends after its call.
    const spans = await eventually(async () => inTrace(traceId), (found) => found.some((span) => span.name === "process events:LeadCaptured"), 20_000);
    const mutation = one(spans, "mutation Capture");
    expect(mutation.parentSpanId).toBe("");
    expect(one(spans, "process events:LeadCaptured").parentSpanId).toBe(one(spans, "publish LeadCaptured").spanId);
    expect(lead.id).toBeTruthy();
  });

  it("a request Apollo answers (one with extensions) gets the same named span as the direct path's", async () => {
    const caller = aTraceparent();
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture({}) })).captureLead;
    const answered = await viaWhichPath(() =>
      service.post({ query: LEAD, variables: { id: lead.id }, extensions: {} }, { authorization: `Bearer ${rep.token}`, traceparent: caller.traceparent }),
    );
    expect(answered.apolloCalls).toBe(1);
    expect(dataOf(answered).lead.id).toBe(lead.id);
    const spans = await eventually(async () => inTrace(caller.traceId), (found) => found.some((span) => span.kind === SERVER), 20_000);
    const request = one(spans, "query Lead");
    expect(request).toMatchObject({ kind: SERVER, parentSpanId: caller.spanId });
    expect(request.attributes).toMatchObject({ "graphql.operation.type": "query", "graphql.operation.name": "Lead", "graphql.operation.root_fields": ["lead"] });
    // Its work hangs below it as on the direct path: the look-ahead fetch, and the read store's statement below that.
    const lookAhead = one(spans.filter((span) => span.parentSpanId === request.spanId), "look-ahead lead with activities");
    expect(spans.filter((span) => span.parentSpanId === lookAhead.spanId).some((span) => span.attributes["db.system.name"] === "postgresql")).toBe(true);
  });
});
