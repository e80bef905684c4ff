import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
} from "@opentelemetry/api";
import type { W3CTraceContextPropagator } from "@opentelemetry/core";

/**
 * W3C Trace Context (`traceparent`, `tracestate`): what the Apollo Router and
 * the OpenTelemetry SDKs send. Loaded on first use: only traced code propagates.
 */
let propagator: W3CTraceContextPropagator | undefined;
function w3c(): W3CTraceContextPropagator {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see above)
  propagator ??= new (require("@opentelemetry/core") as typeof import("@opentelemetry/core")).W3CTraceContextPropagator();
  return propagator;
}

/** The caller's trace, from HTTP headers (or any carrier with `traceparent`/`tracestate`); ROOT when there is none. */
export function contextFromCarrier(carrier: Record<string, string | string[] | undefined>, base: Context = ROOT_CONTEXT): Context {
  return w3c().extract(base, carrier, defaultTextMapGetter);
}

/** A context whose parent is the span a stored `traceparent` names (a trace carried by an outbox row or a stream entry). */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  return traceparent ? contextFromCarrier({ traceparent }) : ROOT_CONTEXT;
}

/** Adds `traceparent` (and `tracestate`) for the active span to outgoing headers. */
export function injectTraceHeaders(headers: Record<string, string>, from: Context = context.active()): void {
  w3c().inject(from, headers, defaultTextMapSetter);
}

/** The W3C `traceparent` of a span context, or null when there is no valid one. */
export function traceparentOf(spanContext: SpanContext | undefined): string | null {
  if (!spanContext || !isSpanContextValid(spanContext)) return null;
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/**
 * The active span's `traceparent`, or null: what an outbox row keeps so the
 * relay and the consumers continue the trace of the request that wrote it.
 * Without tracing the API's context is the no-op one and this is null.
 */
export function activeTraceparent(): string | null {
  return traceparentOf(trace.getActiveSpan()?.spanContext());
}

/** A recording span is active: only then are child spans worth making (a statement outside any request is not traced). */
export function insideRecordingSpan(): boolean {
  return trace.getActiveSpan()?.isRecording() ?? false;
}

/**
 * What kind of failure, never its message: a driver's message can quote the
 * values of a statement (a duplicate email in a unique violation).
 */
export function errorTypeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code) return code;
  return error instanceof Error ? error.name : "unknown";
}

/** Marks a span failed with the kind of error only (see errorTypeOf). */
export function markFailed(span: Span, error: unknown): void {
  span.setAttribute("error.type", errorTypeOf(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * Runs `work` inside a new active span (children and logs see it), ending it
 * when the work settles. Without a tracer the work runs as it is.
 */
export async function inSpan<T>(
  tracer: Tracer | null | undefined,
  name: string,
  options: SpanOptions,
  work: (span: Span | null) => Promise<T>,
  parent?: Context,
): Promise<T> {
  if (!tracer) return work(null);
  return tracer.startActiveSpan(name, options, parent ?? context.active(), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * A span for a piece of a request's work (a DataLoader batch, a look-ahead
 * fetch), made only inside a recording span: an unsampled request pays nothing.
 */
export function childSpan<T>(tracer: Tracer | null | undefined, name: string, attributes: SpanOptions["attributes"], work: () => Promise<T>): Promise<T> {
  if (!tracer || !insideRecordingSpan()) return work();
  return inSpan(tracer, name, { attributes }, work);
}
