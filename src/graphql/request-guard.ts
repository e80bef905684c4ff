import type { IncomingHttpHeaders } from "node:http";
import { HeaderMap, type HTTPGraphQLResponse } from "@apollo/server";
import type { RequestContext } from "./context";

/** A POST/GET to /graphql as the guards see it: before any GraphQL executes. */
export interface GuardedRequest {
  method: string;
  /** The URL's query string ("?query=..." for a GET), or "". */
  search: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (POST), else undefined or the raw text Apollo will refuse. */
  body: unknown;
  context: RequestContext;
}

/**
 * Something that stands around the execution of one GraphQL HTTP request: it
 * may answer itself (a refusal, a replay) or call `execute` and pass its answer on.
 */
export type RequestGuard = (request: GuardedRequest, execute: () => Promise<HTTPGraphQLResponse>) => Promise<HTTPGraphQLResponse>;

/** The guards in order: the first stands outermost. */
export function guardsInOrder(...guards: RequestGuard[]): RequestGuard {
  return guards.reduceRight<RequestGuard>(
    (inner, guard) => (request, execute) => guard(request, () => inner(request, execute)),
    (_request, execute) => execute(),
  );
}

/** A GraphQL error answered at the HTTP level, in GraphQL's error shape. */
export function httpErrorResponse(
  status: number,
  code: string,
  message: string,
  options: { headers?: Record<string, string>; extensions?: Record<string, unknown> } = {},
): HTTPGraphQLResponse {
  const headers = new HeaderMap([["content-type", "application/json; charset=utf-8"], ...Object.entries(options.headers ?? {})]);
  return {
    status,
    headers,
    body: { kind: "complete", string: JSON.stringify({ errors: [{ message, extensions: { code, ...options.extensions } }] }) },
  };
}

/** The GraphQL fields of a POST body (single operations only; Apollo refuses batches). */
export function graphqlParamsOf(body: unknown): { query?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown } | null {
  return body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
}
