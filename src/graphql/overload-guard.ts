import { ServiceOverloadedError } from "../application/service-overloaded";
import type { AdmissionGate, ShedReason } from "../infrastructure/overload/admission-gate";
import { operationOf } from "./rate-limit-guard";
import { requestCost } from "./request-cost";
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
    // Without a tenant the resolvers refuse before any read; `_service` alone reads nothing either.
    if (request.context.auth.kind !== "authenticated") return execute();
    const { query, operationName, variables } = operationOf(request);
    if (requestCost(query, operationName, variables) === 0) return execute();
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
