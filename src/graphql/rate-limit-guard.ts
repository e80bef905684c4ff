import type { TenantBudget } from "../infrastructure/rate-limit/tenant-budget";
import { requestCost } from "./request-cost";
import { graphqlParamsOf, httpErrorResponse, type GuardedRequest, type RequestGuard } from "./request-guard";

/**
 * Per-tenant request budget (docs/domain.md, increment 2b): over budget, HTTP 429 with
 * Retry-After and RATE_LIMITED, before anything executes. Callers without a
 * tenant (no or a bad token) are not charged: they are refused anyway.
 */
export function rateLimitGuard(budget: TenantBudget, onLimited: () => void): RequestGuard {
  return async (request, execute) => {
    const auth = request.context.auth;
    if (auth.kind !== "authenticated") return execute();
    const { query, operationName, variables } = operationOf(request);
    const cost = requestCost(query, operationName, variables);
    if (cost === 0) return execute();
    const decision = await budget.take(auth.principal.tenantId, cost);
    if (decision.allowed) return execute();
    onLimited();
    const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    return httpErrorResponse(429, "RATE_LIMITED", "Too many requests for this tenant; retry later", {
      headers: { "retry-after": String(retryAfterSeconds) },
      extensions: { retryAfterMs: decision.retryAfterMs },
    });
  };
}

/** The operation from a POST body, or from a GET's query string. */
export function operationOf(request: GuardedRequest): { query?: unknown; operationName?: unknown; variables?: unknown } {
  if (request.method !== "GET") return graphqlParamsOf(request.body) ?? {};
  const search = new URLSearchParams(request.search);
  let variables: unknown;
  try {
    variables = JSON.parse(search.get("variables") ?? "null");
  } catch {
    variables = null;
  }
  return { query: search.get("query") ?? undefined, operationName: search.get("operationName") ?? undefined, variables };
}
