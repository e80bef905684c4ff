import { getOperationAST, Kind, parse } from "graphql";
import { ServiceOverloadedError } from "../application/service-overloaded";
import type { AdmissionGate, ShedReason } from "../infrastructure/overload/admission-gate";
import { operationOf } from "./rate-limit-guard";
import { httpErrorResponse, type RequestGuard } from "./request-guard";

/**
 * docs/domain.md, "Overload": a GraphQL request that needs the database passes
 * the admission gate before anything of it runs (before the idempotency
 * guard opens its transaction). Shed, it is answered at once: HTTP 503,
 * `Retry-After`, SERVICE_OVERLOADED; nothing executed, so a retry is safe.
 * Admitted, it holds its place until its answer is built.
 */
export function overloadGuard(gate: AdmissionGate, onShed: (reason: ShedReason) => void): RequestGuard {
  return async (request, execute) => {
    // Without a tenant the resolvers refuse before any read.
    if (request.context.auth.kind !== "authenticated") return execute();
    const { query, operationName } = operationOf(request);
    if (readsNothing(query, operationName)) return execute();
    const admission = await gate.enter();
    if (!admission.admitted) {
      onShed(admission.reason);
      const refusal = new ServiceOverloadedError(admission.retryAfterMs);
      return httpErrorResponse(503, refusal.extensions.code, refusal.message, {
        headers: { "retry-after": String(admission.retryAfterMs / 1000) },
        extensions: { retryAfterMs: admission.retryAfterMs },
      });
    }
    try {
      return await execute();
    } finally {
      admission.release();
    }
  };
}

/** Root fields answered from the schema alone: composition's `_service`, `__typename`, introspection. */
const SCHEMA_ONLY_ROOT_FIELDS = new Set(["_service", "__typename", "__schema", "__type"]);

/**
 * Whether the operation certainly reads nothing from the database: only
 * schema-answered root fields, or a document Apollo refuses before executing.
 * Most documents name none of those fields and are not parsed here.
 */
function readsNothing(query: unknown, operationName: unknown): boolean {
  if (typeof query !== "string" || !/_service|__typename|__schema|__type/.test(query)) return false;
  try {
    const operation = getOperationAST(parse(query), typeof operationName === "string" ? operationName : undefined);
    if (!operation) return true;
    return operation.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD && SCHEMA_ONLY_ROOT_FIELDS.has(selection.name.value));
  } catch {
    return true;
  }
}
