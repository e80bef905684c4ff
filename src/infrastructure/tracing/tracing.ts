import { context, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter as OtlpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { SamplerName, TracingConfig } from "./tracing-config";

/** The service's tracer and its exporter's lifetime; absent (null) when tracing is off. */
export interface Tracing {
  tracer: Tracer;
  /** Exports what is buffered, then stops: the last step of the service's shutdown. */
  shutdown(): Promise<void>;
}

function samplerOf(name: SamplerName, ratio: number): Sampler {
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
function installContextManager(): void {
  if (contextManagerInstalled) return;
  contextManagerInstalled = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/**
 * A tracer provider of this service's own (not registered as the global one:
 * several services may run in one process, as in the tests), batching spans
 * to an OTLP/HTTP endpoint.
 */
export function startTracing(config: TracingConfig | null): Tracing | null {
  if (!config) return null;
  installContextManager();
  const exporterOptions = { url: config.tracesUrl, headers: config.headers, timeoutMillis: config.exportTimeoutMs };
  const exporter = config.protocol === "http/json" ? new OtlpJsonExporter(exporterOptions) : new OtlpProtobufExporter(exporterOptions);
  const provider = new BasicTracerProvider({
    // service.version and the deployment's attributes come from OTEL_RESOURCE_ATTRIBUTES.
    resource: resourceFromAttributes({ ...config.resourceAttributes, [ATTR_SERVICE_NAME]: config.serviceName }),
    sampler: samplerOf(config.sampler, config.samplerRatio),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
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
