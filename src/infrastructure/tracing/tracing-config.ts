import { z } from "zod";

/**
 * OpenTelemetry's own environment variables (the SDK specification's names
 * and defaults), read here rather than by the SDK from process.env so they
 * are checked at start like every other setting and tests can pass them.
 */

const SAMPLERS = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"] as const;
export type SamplerName = (typeof SAMPLERS)[number];

const blankIsUnset = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

const httpUrl = z.string().refine(
  (value) => {
    try {
      return ["http:", "https:"].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  { message: "must be a URL starting with http:// or https://" },
);

/** `key1=value1,key2=value2`, values percent-encoded (the specification's format for headers and resource attributes). */
const keyValueList = z
  .string()
  .default("")
  .transform((value, ctx) => {
    const pairs: Record<string, string> = {};
    for (const item of value.split(",").map((part) => part.trim()).filter(Boolean)) {
      const equals = item.indexOf("=");
      const key = equals > 0 ? item.slice(0, equals).trim() : "";
      if (!key) {
        ctx.addIssue({ code: "custom", message: "must list key=value pairs separated by commas" });
        return z.NEVER;
      }
      try {
        pairs[key] = decodeURIComponent(item.slice(equals + 1).trim());
      } catch {
        ctx.addIssue({ code: "custom", message: `has a value for ${key} that is not valid percent-encoding` });
        return z.NEVER;
      }
    }
    return pairs;
  });

// grpc needs another exporter (and HTTP/2 through proxies); the collector and Jaeger take both HTTP forms.
const protocol = blankIsUnset(z.enum(["http/protobuf", "http/json"], { message: "must be http/protobuf or http/json (grpc is not supported)" }));
const milliseconds = (fallback: number) => z.coerce.number().int().min(0).max(600_000).default(fallback);

export const tracingVariables = {
  OTEL_SDK_DISABLED: z.enum(["true", "false", ""]).default("false"),
  OTEL_EXPORTER_OTLP_ENDPOINT: blankIsUnset(httpUrl),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: blankIsUnset(httpUrl),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList,
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList,
  OTEL_EXPORTER_OTLP_TIMEOUT: milliseconds(10_000),
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: blankIsUnset(z.coerce.number().int().min(0).max(600_000)),
  OTEL_SERVICE_NAME: blankIsUnset(z.string().trim().min(1)),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList,
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS, { message: `must be one of ${SAMPLERS.join(", ")}` }).default("parentbased_always_on"),
  OTEL_TRACES_SAMPLER_ARG: blankIsUnset(z.coerce.number().min(0, { message: "must be a ratio between 0 and 1" }).max(1, { message: "must be a ratio between 0 and 1" })),
  OTEL_BSP_SCHEDULE_DELAY: milliseconds(5000),
  OTEL_BSP_EXPORT_TIMEOUT: milliseconds(30_000),
  OTEL_BSP_MAX_QUEUE_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(2048),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(512),
};

type TracingVariables = z.infer<z.ZodObject<typeof tracingVariables>>;

export interface TracingConfig {
  /** Where spans are POSTed (OTLP/HTTP). */
  tracesUrl: string;
  protocol: "http/protobuf" | "http/json";
  headers: Record<string, string>;
  exportTimeoutMs: number;
  serviceName: string;
  resourceAttributes: Record<string, string>;
  sampler: SamplerName;
  /** The ratio of the *traceidratio samplers (1 when not given, as the specification says). */
  samplerRatio: number;
  batch: { scheduledDelayMs: number; exportTimeoutMs: number; maxQueueSize: number; maxExportBatchSize: number };
}

/** The signal-specific endpoint is taken as is; the general one gets the traces path, as the specification says. */
function tracesUrlOf(env: TracingVariables): string | null {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`;
  return null;
}

/** Tracing is off (null) unless an OTLP endpoint is set, and when OTEL_SDK_DISABLED=true. */
export function tracingConfigOf(env: TracingVariables): TracingConfig | null {
  const tracesUrl = tracesUrlOf(env);
  if (!tracesUrl || env.OTEL_SDK_DISABLED === "true") return null;
  const { "service.name": _ignored, ...resourceAttributes } = env.OTEL_RESOURCE_ATTRIBUTES;
  return {
    tracesUrl,
    protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf",
    headers: { ...env.OTEL_EXPORTER_OTLP_HEADERS, ...env.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
    exportTimeoutMs: env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? env.OTEL_EXPORTER_OTLP_TIMEOUT,
    // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES (the specification's order).
    serviceName: env.OTEL_SERVICE_NAME ?? env.OTEL_RESOURCE_ATTRIBUTES["service.name"] ?? "crm-subgraph",
    resourceAttributes,
    sampler: env.OTEL_TRACES_SAMPLER,
    samplerRatio: env.OTEL_TRACES_SAMPLER_ARG ?? 1,
    batch: {
      scheduledDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
      exportTimeoutMs: env.OTEL_BSP_EXPORT_TIMEOUT,
      maxQueueSize: env.OTEL_BSP_MAX_QUEUE_SIZE,
      maxExportBatchSize: Math.min(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, env.OTEL_BSP_MAX_QUEUE_SIZE),
    },
  };
}
