import { context, type Tracer } from "@opentelemetry/api";
import type { Sampler } from "@opentelemetry/sdk-trace-base";
import type { SamplerName, TracingConfig } from "./tracing-config";

/** The service's tracer and its exporter's lifetime; absent (null) when tracing is off. */
export interface Tracing {
  tracer: Tracer;
  /** Exports what is buffered, then stops: the last step of the service's shutdown. */
  shutdown(): Promise<void>;
}

type Sdk = typeof import("@opentelemetry/sdk-trace-base");

function samplerOf(sdk: Sdk, name: SamplerName, ratio: number): Sampler {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = sdk;
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratio);
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

let contextManagerInstalled = false;

/**
 * Spans follow the request across awaits through AsyncLocalStorage. The
 * context manager is process-wide (the API has one slot); it is installed
 * only when some service traces, so an untraced process keeps the API's
 * no-op manager and `context.active()` costs nothing.
 */
function installContextManager(AsyncLocalStorageContextManager: typeof import("@opentelemetry/context-async-hooks").AsyncLocalStorageContextManager): void {
  if (contextManagerInstalled) return;
  contextManagerInstalled = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/**
 * A tracer provider of this service's own (not registered as the global one:
 * several services may run in one process, as in the tests), batching spans
 * to an OTLP/HTTP endpoint. The SDK is loaded only then: with tracing off the
 * process never loads it (only the API, whose no-op calls cost nothing).
 */
export async function startTracing(config: TracingConfig | null): Promise<Tracing | null> {
  if (!config) return null;
  const [sdk, { AsyncLocalStorageContextManager }, { resourceFromAttributes }, { ATTR_SERVICE_NAME }, json, protobuf] = await Promise.all([
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/context-async-hooks"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/semantic-conventions"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/exporter-trace-otlp-proto"),
  ]);
  installContextManager(AsyncLocalStorageContextManager);
  const exporterOptions = { url: config.tracesUrl, headers: config.headers, timeoutMillis: config.exportTimeoutMs };
  const exporter = config.protocol === "http/json" ? new json.OTLPTraceExporter(exporterOptions) : new protobuf.OTLPTraceExporter(exporterOptions);
  const provider = new sdk.BasicTracerProvider({
    // service.version and the deployment's attributes come from OTEL_RESOURCE_ATTRIBUTES.
    resource: resourceFromAttributes({ ...config.resourceAttributes, [ATTR_SERVICE_NAME]: config.serviceName }),
    sampler: samplerOf(sdk, config.sampler, config.samplerRatio),
    spanProcessors: [
      new sdk.BatchSpanProcessor(exporter, {
        scheduledDelayMillis: config.batch.scheduledDelayMs,
        exportTimeoutMillis: config.batch.exportTimeoutMs,
        maxQueueSize: config.batch.maxQueueSize,
        maxExportBatchSize: config.batch.maxExportBatchSize,
      }),
    ],
  });
  return {
    tracer: provider.getTracer("crm-subgraph"),
    shutdown: () => provider.shutdown(),
  };
}
