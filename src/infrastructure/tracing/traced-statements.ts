import { SpanKind, type Attributes, type Span, type Tracer } from "@opentelemetry/api";
import type pg from "pg";
import { insideRecordingSpan, markFailed } from "./spans";
import { statementOperation, statementShape } from "./statement-shape";

type QueryArgs = unknown[];
type Callback = (error: Error | null, result: unknown) => void;

function textOf(first: unknown): string | undefined {
  if (typeof first === "string") return first;
  const text = (first as { text?: unknown } | null)?.text;
  return typeof text === "string" ? text : undefined;
}

function end(span: Span, error: unknown): void {
  if (error) markFailed(span, error);
  span.end();
}

/**
 * One span per SQL statement on every connection of the pool: Prisma's
 * adapter and the read store both run through pooled clients, so wrapping
 * each client's `query` when the pool makes it covers both, with no module
 * loading hooks. A statement is traced only inside a recording span (a
 * request, a relay publish, an enrichment): health probes, purges and idle
 * polling make no traces of their own. The span holds the statement's shape,
 * never its values.
 */
export function traceStatements(pool: pg.Pool, tracer: Tracer, target: { name?: string; connectionString: string }): void {
  const url = new URL(target.connectionString);
  const attributes: Attributes = {
    "db.system.name": "postgresql",
    "db.namespace": decodeURIComponent(url.pathname.slice(1)),
    "server.address": url.hostname,
    "server.port": Number(url.port || 5432),
    ...(target.name ? { "db.client.connection.pool.name": target.name } : {}),
  };
  // A child of the active span (the request, a look-ahead fetch): the caller's context at client.query.
  const startStatementSpan = (text: string): Span => {
    const shape = statementShape(text);
    return tracer.startSpan(statementOperation(shape), { kind: SpanKind.CLIENT, attributes: { ...attributes, "db.query.text": shape } });
  };
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: QueryArgs) => unknown;
    (client as { query: unknown }).query = function tracedQuery(...args: QueryArgs): unknown {
      if (!insideRecordingSpan()) return query(...args);
      const first = args[0];
      const text = textOf(first);
      if (text === undefined) return query(...args);
      const last = args[args.length - 1];
      if (typeof (first as { submit?: unknown }).submit === "function") {
        // A Submittable: a Query object such as the read store's TenantScopedQuery answers through
        // its callback (its own, or the one passed along, which pg sets on it); a cursor or a
        // stream has none and reports through events: left as it is.
        const submittable = first as { callback?: unknown };
        if (typeof submittable.callback === "function") {
          const own = submittable.callback as Callback;
          const span = startStatementSpan(text);
          submittable.callback = (error: Error | null, result: unknown) => {
            end(span, error);
            own(error, result);
          };
          return query(...args);
        }
        if (typeof last !== "function") return query(...args);
      }
      const span = startStatementSpan(text);
      if (typeof last === "function") {
        args[args.length - 1] = (error: Error | null, result: unknown) => {
          end(span, error);
          (last as Callback)(error, result);
        };
        return query(...args);
      }
      return (query(...args) as Promise<unknown>).then(
        (result) => {
          span.end();
          return result;
        },
        (error: unknown) => {
          end(span, error);
          throw error;
        },
      );
    };
  });
}
