import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLFormattedError } from "graphql";
import { DomainError } from "../domain/shared/domain-error";
import { ERROR_CODES } from "./error-codes";

/** The codes a client may see (src/graphql/error-codes.ts, docs/domain.md: Errors). Anything else is masked. */
const PUBLIC_CODES = new Set(ERROR_CODES.filter((entry) => entry.formatted).map((entry) => entry.code));

/**
 * graphql-js reports bad variable values as BAD_USER_INPUT without a field;
 * The rules want the path inside the argument, which its message carries:
 * `Variable "$input" got invalid value ... at "input.estimatedValue.amountMinor"; ...`
 */
export function fieldOfVariableError(message: string): string | undefined {
  const variable = /^Variable "\$(\w+)" got invalid value/.exec(message);
  if (!variable) return undefined;
  const at = / at "([^"]+)";/.exec(message)?.[1];
  const path = at ? at.split(".").slice(1).join(".").replace(/\[\d+\]$/, "") : "";
  const missing = /Field "(\w+)" of required type/.exec(message)?.[1];
  const inside = [path, missing].filter(Boolean).join(".");
  return inside || variable[1];
}

/**
 * Turns domain errors into coded GraphQL errors and masks everything
 * unexpected: no stack, SQL or file path reaches a client. The original goes
 * to `onInternalError` (the log).
 */
export function createErrorFormatter(onInternalError: (error: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const where = { locations: formatted.locations, path: formatted.path };
    if (original instanceof DomainError) {
      return { message: original.message, ...where, extensions: { code: original.code, ...original.details } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === "string" && PUBLIC_CODES.has(code)) {
      // `http` is a status hint for the HTTP transport (Apollo drops it there), never part of the answer.
      const { stacktrace: _stacktrace, exception: _exception, http: _http, ...extensions } = formatted.extensions ?? {};
      const field = code === "BAD_USER_INPUT" && extensions.field === undefined ? fieldOfVariableError(formatted.message) : undefined;
      return { message: formatted.message, ...where, extensions: { ...extensions, code, ...(field ? { field } : {}) } };
    }
    onInternalError(original);
    return { message: "Internal server error", ...where, extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}
