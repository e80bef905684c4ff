import type { IncomingHttpHeaders } from "node:http";
import { HeaderMap, type HTTPGraphQLResponse } from "@apollo/server";
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from "graphql";
import type { Logger } from "../infrastructure/logger";
import type { Metrics } from "../infrastructure/metrics";
import type { CompiledExecution } from "./compiled-execution";
import type { RequestContext } from "./context";
import { observeRequest } from "./observability-plugin";
import type { OperationPipeline } from "./operation-pipeline";
import { nameRequestSpan, recordRequestErrors } from "./request-span";

export interface DirectRequest {
  method: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body of a POST. */
  body: unknown;
  context: RequestContext;
}

/** Returns the answer, or null when the request is not the plain case (Apollo answers it then). */
export type DirectExecutor = (request: DirectRequest) => Promise<HTTPGraphQLResponse> | null;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value) && !Buffer.isBuffer(value);
const absentOr = (value: unknown, check: (value: unknown) => boolean) => value === undefined || value === null || check(value);
/** The content types Apollo would pick application/json for: no preference, anything, or JSON itself. */
const PLAIN_ACCEPT = /^\s*(\*\/\*|application\/json)\s*(;\s*charset=utf-8\s*)?$/i;
const PLAIN_CONTENT_TYPE = /^\s*application\/json\s*(;\s*charset=utf-8\s*)?$/i;

/**
 * The common request without Apollo's request pipeline: a JSON POST of one
 * query or mutation that passes the operation pipeline (parse and validation
 * from its per-document cache, the production introspection ban, the query
 * limits, the variables), executed with graphql-js and answered as Apollo
 * answers it: the same error formatting, status 200 (or an error's
 * `extensions.http.status`), the same JSON and content type, the same
 * metrics and log line. Everything else (GET, batches, `extensions` such as
 * persisted queries, other content types or Accept headers, subscriptions,
 * a gateway asking for a federated trace (`apollo-federation-include-trace`:
 * Apollo's inline-trace plugin answers it with `extensions.ftv1`), and every
 * request the pipeline refuses) goes to Apollo, so refusals read
 * exactly as they did. Measured in bench/: Apollo's per-request machinery
 * (hooks, request parsing, a SHA-256 of every document for its cache) was
 * about a fifth of the list's CPU.
 */
export function directExecutor(pipeline: OperationPipeline, metrics: Metrics, logger: Logger, compiled: CompiledExecution): DirectExecutor {
  return ({ method, headers, body, context }) => {
    if (method !== "POST" || !PLAIN_CONTENT_TYPE.test(headers["content-type"] ?? "")) return null;
    if (headers.accept !== undefined && !PLAIN_ACCEPT.test(headers.accept)) return null;
    if (headers["apollo-federation-include-trace"] !== undefined) return null;
    if (!isRecord(body) || typeof body.query !== "string" || (body.extensions !== undefined && body.extensions !== null)) return null;
    if (!absentOr(body.variables, isRecord) || !absentOr(body.operationName, (name) => typeof name === "string")) return null;
    const prepared = pipeline.prepare({ query: body.query, operationName: body.operationName ?? undefined, variables: body.variables ?? {} });
    if (Array.isArray(prepared) || prepared.operation.operation === "subscription") return null;
    return run();

    async function run(): Promise<HTTPGraphQLResponse> {
      if (Array.isArray(prepared)) throw new Error("unreachable");
      const observation = observeRequest(pipeline.schema, metrics, logger, context);
      observation.resolved(prepared.operation);
      // The request span (graphql-http-handler.ts) takes the operation's name on this path as on Apollo's.
      nameRequestSpan(prepared.operation);
      pipeline.begin(context, prepared.operation.operation);
      let result: ExecutionResult;
      try {
        result = await compiled.execute(prepared, context);
      } finally {
        pipeline.end(context);
      }
      let status = 200;
      let errors: GraphQLFormattedError[] | undefined;
      if (result.errors?.length) {
        errors = result.errors.map((error) => {
          const http = (error.extensions as { http?: { status?: unknown } } | undefined)?.http;
          if (typeof http?.status === "number") status = http.status;
          return pipeline.formatError(asApolloFormats(error), error);
        });
      }
      const codes = (errors ?? []).map((error) => String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR"));
      observation.finished(codes);
      recordRequestErrors(codes);
      return {
        status,
        headers: new HeaderMap([["content-type", "application/json; charset=utf-8"]]),
        // Apollo's field order: errors, data, extensions.
        body: { kind: "complete", string: JSON.stringify({ errors, data: result.data, extensions: result.extensions }) },
      };
    }
  };
}

/** The formatted error Apollo hands to formatError: the code defaulted, `http` taken out of the extensions. */
function asApolloFormats(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  const { http: _http, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  return { ...formatted, extensions: { ...extensions, code: extensions.code ?? "INTERNAL_SERVER_ERROR" } };
}
