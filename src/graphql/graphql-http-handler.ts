import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer } from "@apollo/server";
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { contextFromCarrier } from "../infrastructure/tracing/spans";
import type { Logger } from "../infrastructure/logger";
import type { RequestContext } from "./context";
import type { DirectExecutor } from "./direct-execution";
import type { RequestGuard } from "./request-guard";

/** What the handler needs around Apollo: CORS and the per-request context. */
export interface GraphqlHttpOptions {
  /** A connect-style middleware (the `cors` package): answers preflights itself, else calls next. */
  cors: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
  contextOf: (req: IncomingMessage) => Promise<RequestContext>;
  maxBodyBytes: number;
  logger: Logger;
  /** Rate limits and idempotency keys: may answer instead of executing. */
  guard: RequestGuard;
  /** Answers the plain request without Apollo's pipeline (null: Apollo answers). */
  direct?: DirectExecutor;
  /** With tracing on: a span per request, continuing the caller's `traceparent`. */
  tracer?: Tracer;
}

/** A client error before GraphQL is reached, answered in GraphQL's error shape. */
class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * POST/GET /graphql on plain node:http: reads and checks the body, hands the
 * request to Apollo, writes Apollo's answer. The one hot path of the service,
 * so it skips the framework layers (routing, body parsing, ETag hashing of
 * every answer) the probes and metrics still use.
 */
export function graphqlHttpHandler(apollo: ApolloServer<RequestContext>, options: GraphqlHttpOptions) {
  const { logger, tracer } = options;
  return (req: IncomingMessage, res: ServerResponse): void => {
    options.cors(req, res, () => (tracer ? serveTraced(tracer, req, res) : serve(req, res)));
  };

  function serve(req: IncomingMessage, res: ServerResponse): void {
    answer(req, res).catch((error: unknown) => {
      if (error instanceof BodyError) return sendError(res, error.status, error.message, "BAD_REQUEST");
      // A client that hung up mid-request is no server error: nobody is left to answer.
      if (req.destroyed || res.destroyed) return;
      logger.error({ err: error }, "unexpected HTTP error");
      sendError(res, 500, "Internal server error", "INTERNAL_SERVER_ERROR");
    });
  }

  /**
   * The request's span: a child of the caller's (the Router's) when it sent
   * `traceparent`, else the root of a new trace; everything the request does
   * runs inside it. tracingPlugin names it after the operation.
   */
  function serveTraced(tracer: Tracer, req: IncomingMessage, res: ServerResponse): void {
    const parent = contextFromCarrier(req.headers);
    const span = tracer.startSpan(
      `${req.method ?? "GET"} /graphql`,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": req.method ?? "GET", "http.route": "/graphql" } },
      parent,
    );
    res.once("close", () => {
      span.setAttribute("http.response.status_code", res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), serve, undefined, req, res);
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = req.method === "POST" ? await readBody(req, options.maxBodyBytes) : undefined;
    const url = req.url ?? "";
    const query = url.indexOf("?");
    const method = req.method ?? "GET";
    const search = query === -1 ? "" : url.slice(query);
    const context = await options.contextOf(req);
    const response = await options.guard(
      { method, search, headers: req.headers, body, context },
      () => options.direct?.({ method, headers: req.headers, body, context }) ?? viaApollo(req, method, search, body, context),
    );
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  function viaApollo(req: IncomingMessage, method: string, search: string, body: unknown, context: RequestContext) {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    return apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method, headers, search, body }, context: async () => context });
  }
}

/**
 * The body as JSON when it says it is JSON (objects and arrays only, strict
 * UTF-8: bytes that are not would silently turn into U+FFFD), else as text
 * for Apollo to refuse with its own message.
 */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"]);
  if (declared > maxBytes) throw new BodyError(413, "Request body too large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BodyError(413, "Request body too large");
    chunks.push(chunk);
  }
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new BodyError(400, "Malformed request body");
  }
  if (!/^application\/(.+\+)?json\b/i.test(req.headers["content-type"] ?? "")) return text;
  const trimmed = text.trimStart();
  if (trimmed === "") return {};
  if (trimmed[0] !== "{" && trimmed[0] !== "[") throw new BodyError(400, "Malformed request body");
  try {
    return JSON.parse(trimmed);
  } catch {
    throw new BodyError(400, "Malformed request body");
  }
}

function sendError(res: ServerResponse, status: number, message: string, code: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}
