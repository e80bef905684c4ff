import { isSpanContextValid, trace } from "@opentelemetry/api";
import pino, { type Logger } from "pino";
import { maskSecrets, safeError } from "./secret-masking";

export type { Logger };

/**
 * `trace_id` and `span_id` of the active span, so a log line leads to its
 * trace (docs/operations.md, "Tracing"). Without tracing there is never an
 * active span and this adds nothing.
 */
function traceFields(): object {
  const span = trace.getActiveSpan();
  // A fresh object each time: pino merges the line's own fields into it.
  if (!span) return {};
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {};
}

/**
 * JSON logs. Tokens, emails and phone numbers never go out at info: the
 * redaction list catches the places they could appear by accident. Errors are
 * logged through `safeError` and messages through `maskSecrets`: a driver error
 * can carry its client (with the password) or a connection URL.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "crm-subgraph" },
      redact: {
        paths: ["req.headers.authorization", "authorization", "token", "*.email", "*.phone", "variables"],
        censor: "[redacted]",
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceFields,
      serializers: { err: safeError, error: safeError },
      hooks: {
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          if (typeof first === "string") return method.apply(this, [maskSecrets(first), ...rest] as Parameters<typeof method>);
          // logger.error(error): pino would take the message from the error, unmasked.
          if (first instanceof Error && typeof rest[0] !== "string") rest.unshift(first.message);
          if (typeof rest[0] === "string") rest[0] = maskSecrets(rest[0]);
          return method.apply(this, [first instanceof Error ? { err: first } : first, ...rest] as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
