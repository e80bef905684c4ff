import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/infrastructure/config";
import { refusal } from "../support/config-refusal";
import { createLogger } from "../../src/infrastructure/logger";
import { statementShape } from "../../src/infrastructure/tracing/statement-shape";
import { aTraceparent, startOtlpReceiver, type OtlpReceiver } from "../support/otlp-receiver";
import { eventually } from "../support/redis-streams";
import { startTestService, type TestService } from "../support/test-service";

describe("tracing settings (the OpenTelemetry SDK's own variables)", () => {
  it("off unless an OTLP endpoint is set, or when OTEL_SDK_DISABLED=true", () => {
    expect(loadConfig({}).tracing).toBeNull();
    expect(loadConfig({ OTEL_SERVICE_NAME: "x", OTEL_TRACES_SAMPLER: "always_on" }).tracing).toBeNull();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" }).tracing).toBeNull();
  });

  it("defaults: service crm-subgraph, parent-based always-on, protobuf, the traces path under the general endpoint", () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }).tracing).toEqual({
      tracesUrl: "http://collector:4318/v1/traces",
      protocol: "http/protobuf",
      headers: {},
      exportTimeoutMs: 10_000,
      serviceName: "crm-subgraph",
      resourceAttributes: {},
      sampler: "parentbased_always_on",
      samplerRatio: 1,
      batch: { scheduledDelayMs: 5000, exportTimeoutMs: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 },
    });
  });

  it("the signal's own settings win; resource attributes and headers are percent-decoded", () => {
    const tracing = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example/otlp/spans",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=abc%3D%3D,x-team=crm",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-team=sales",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=staging,service.version=1.2.3,team=lead%20pipeline,service.name=ignored",
      OTEL_SERVICE_NAME: "crm-eu",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
      OTEL_BSP_SCHEDULE_DELAY: "200",
    }).tracing;
    expect(tracing).toMatchObject({
      tracesUrl: "https://traces.example/otlp/spans",
      protocol: "http/json",
      headers: { "x-api-key": "abc==", "x-team": "sales" },
      serviceName: "crm-eu",
      resourceAttributes: { "deployment.environment.name": "staging", "service.version": "1.2.3", team: "lead pipeline" },
      sampler: "parentbased_traceidratio",
      samplerRatio: 0.1,
      batch: { scheduledDelayMs: 200 },
    });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_RESOURCE_ATTRIBUTES: "service.name=from-resource" }).tracing?.serviceName).toBe("from-resource");
  });

  it("refuses bad values by name", () => {
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };
    expect(refusal({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toMatch(/^Invalid configuration: OTEL_EXPORTER_OTLP_ENDPOINT /);
    expect(refusal({ ...on, OTEL_TRACES_SAMPLER: "sometimes" })).toMatch(/OTEL_TRACES_SAMPLER must be one of/);
    expect(refusal({ ...on, OTEL_TRACES_SAMPLER_ARG: "1.5" })).toMatch(/OTEL_TRACES_SAMPLER_ARG must be a ratio/);
    expect(refusal({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL .*grpc is not supported/);
    expect(refusal({ ...on, OTEL_RESOURCE_ATTRIBUTES: "novalue" })).toMatch(/OTEL_RESOURCE_ATTRIBUTES must list key=value pairs/);
  });

  it("a statement's shape keeps parameters and drops literals", () => {
    const tenant = randomUUID();
    expect(statementShape(`BEGIN READ ONLY; SELECT set_config('app.current_tenant_id', '${tenant}', true)`)).toBe(
      "BEGIN READ ONLY; SELECT set_config(?, ?, true)",
    );
    expect(statementShape(`SELECT "lead"."name", e'it''s' FROM lead WHERE email = 'ann@x.example' AND score > 42 AND id = $1::uuid LIMIT 50`)).toBe(
      `SELECT "lead"."name", ? FROM lead WHERE email = ? AND score > ? AND id = $1::uuid LIMIT ?`,
    );
    expect(statementShape("SELECT $tag$secret body$tag$, col2 FROM t2")).toBe("SELECT ?, col2 FROM t2");
  });
});

describe("sampling (OTEL_TRACES_SAMPLER=parentbased_traceidratio, ratio 0)", () => {
  let receiver: OtlpReceiver;
  let service: TestService | undefined;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    service = await startTestService({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0",
      OTEL_BSP_SCHEDULE_DELAY: "50",
    });
  });
  afterAll(async () => {
    await service?.stop();
    await receiver?.stop();
  });

  it("follows the caller's decision; starts no trace of its own", async () => {
    const running = service!;
    const caller = await running.caller();
    const ask = (headers: Record<string, string>) => running.post({ query: "{ pipelineSummary { totalLeads } }" }, { authorization: `Bearer ${caller.token}`, ...headers });
    const unsampled = aTraceparent();
    for (let i = 0; i < 3; i++) expect((await ask({})).status).toBe(200);
    expect((await ask({ traceparent: unsampled.traceparent.replace(/-01$/, "-00") })).status).toBe(200);
    const sampled = aTraceparent();
    expect((await ask({ traceparent: sampled.traceparent })).status).toBe(200);
    // Spans leave in the order they end: once the sampled request's are in, the others would be too.
    await eventually(async () => receiver.spans.filter((span) => span.traceId === sampled.traceId && span.parentSpanId === sampled.spanId), (found) => found.length > 0);
    // Stopping flushes whatever is still buffered.
    await running.stop();
    service = undefined;
    expect(new Set(receiver.spans.map((span) => span.traceId))).toEqual(new Set([sampled.traceId]));
  });
});

describe("tracing off", () => {
  it("a request with a traceparent runs untraced: its log line names no trace", async () => {
    const lines: Record<string, any>[] = [];
    const service = await startTestService({}, { logger: createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line)) }) });
    try {
      const caller = await service.caller();
      const requestId = `untraced-${randomUUID()}`;
      const response = await service.post(
        { query: "{ pipelineSummary { totalLeads } }" },
        { authorization: `Bearer ${caller.token}`, traceparent: aTraceparent().traceparent, "x-request-id": requestId },
      );
      expect(response.status).toBe(200);
      const line = lines.find((entry) => entry.requestId === requestId);
      expect(line).toBeDefined();
      expect(line).not.toHaveProperty("trace_id");
      expect(response.raw.headers.get("traceparent")).toBeNull();
    } finally {
      await service.stop();
    }
  });
});
