import { createHash } from "node:crypto";
import { HeaderMap, type HTTPGraphQLResponse } from "@apollo/server";
import { getOperationAST, parse } from "graphql";
import type { Logger } from "../infrastructure/logger";
import { idempotencyRecords, type IdempotencyScope } from "../infrastructure/prisma/idempotency-records";
import { RequestTransaction, withinRequestTransaction } from "../infrastructure/prisma/request-transaction";
import type { TenantScopedPrisma } from "../infrastructure/prisma/tenant-db";
import { graphqlParamsOf, httpErrorResponse, type GuardedRequest, type RequestGuard } from "./request-guard";

export interface IdempotencyOptions {
  prisma: TenantScopedPrisma;
  ttlSeconds: number;
  /** After the commit, awaited before the answer: the query cache's generation moves on and the outbox relay is poked here. */
  afterCommit: (eventsWritten: number, tenantId: string) => void | Promise<void>;
  onReplay: () => void;
  logger: Logger;
  /** Fault injection for tests (never in production): "exit" kills the process after the commit, before the answer. */
  faultAfterCommit?: "exit" | null;
}

// docs/domain.md: 1..255 visible ASCII characters.
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * Idempotency keys as Stripe promises them (docs/domain.md, increment 2b): a mutation
 * sent with `Idempotency-Key` runs in one tenant transaction that also stores
 * its answer, so a retry gets that answer (`Idempotent-Replayed: true`) and
 * the change is never applied twice, even after a crash between the commit
 * and the answer. Queries ignore the key.
 */
export function idempotencyGuard(options: IdempotencyOptions): RequestGuard {
  const { prisma, logger } = options;
  return async (request, execute) => {
    const header = request.headers["idempotency-key"];
    if (header === undefined) return execute();
    if (typeof header !== "string" || !VALID_KEY.test(header)) {
      return httpErrorResponse(400, "BAD_REQUEST", "Idempotency-Key must be 1 to 255 visible ASCII characters");
    }
    const auth = request.context.auth;
    // Without a caller there is no scope; the mutation is refused on its own anyway.
    if (auth.kind !== "authenticated" || request.method !== "POST" || !isMutation(request)) return execute();
    const scope: IdempotencyScope = { tenantId: auth.principal.tenantId, userId: auth.principal.userId, key: header };
    const requestHash = requestHashOf(request.body);

    let outcome: Outcome;
    try {
      outcome = await prisma.inTenant(scope.tenantId, async (db): Promise<Outcome> => {
        if (!(await idempotencyRecords.tryLock(db, scope))) return { kind: "in-use" };
        const stored = await idempotencyRecords.find(db, scope);
        if (stored) return stored.requestHash === requestHash ? { kind: "replay", status: stored.status, body: stored.body } : { kind: "reused" };
        const transaction = new RequestTransaction(db, scope.tenantId);
        const response = await withinRequestTransaction(transaction, execute);
        const body = response.body.kind === "complete" ? response.body.string : null;
        if (body !== null && isStorable(response.status ?? 200, body)) {
          const leadIds = [...new Set(body.match(UUID) ?? [])].map((id) => id.toLowerCase());
          await idempotencyRecords.store(db, scope, { requestHash, status: response.status ?? 200, body }, { ttlSeconds: options.ttlSeconds, leadIds });
        }
        return { kind: "executed", response, eventsWritten: transaction.eventsWritten };
      });
    } catch (error) {
      // Nothing was committed: the client may retry with the same key.
      logger.error({ err: error }, "idempotent request failed before its commit");
      return httpErrorResponse(500, "INTERNAL_SERVER_ERROR", "Internal server error");
    }

    switch (outcome.kind) {
      case "in-use":
        return httpErrorResponse(409, "IDEMPOTENCY_KEY_IN_USE", "A request with this Idempotency-Key is still running; retry later");
      case "reused":
        return httpErrorResponse(422, "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used with another request body");
      case "replay":
        options.onReplay();
        return {
          status: outcome.status,
          headers: new HeaderMap([
            ["content-type", "application/json; charset=utf-8"],
            ["idempotent-replayed", "true"],
          ]),
          body: { kind: "complete", string: outcome.body },
        };
      case "executed":
        await options.afterCommit(outcome.eventsWritten, scope.tenantId);
        if (options.faultAfterCommit === "exit") {
          logger.warn("CRM_FAULT_AFTER_COMMIT=exit: dying after the commit, before the answer");
          process.kill(process.pid, "SIGKILL");
        }
        return outcome.response;
    }
  };
}

type Outcome =
  | { kind: "in-use" }
  | { kind: "reused" }
  | { kind: "replay"; status: number; body: string }
  | { kind: "executed"; response: HTTPGraphQLResponse; eventsWritten: number };

/**
 * docs/domain.md: an answer with INTERNAL_SERVER_ERROR is not stored (a retry may
 * execute); nor is any 5xx (an overload refusal executed nothing). As with
 * Stripe, neither is a request that never started executing: one refused
 * before execution (parse, validation, variables: no `data`) or by the role
 * check alone, so the corrected retry may run under the same key.
 */
function isStorable(status: number, body: string): boolean {
  if (status >= 500) return false;
  try {
    const answer = JSON.parse(body) as { data?: unknown; errors?: { extensions?: { code?: unknown } }[] };
    if (!("data" in answer)) return false;
    const codes = (answer.errors ?? []).map((error) => error.extensions?.code);
    if (codes.includes("INTERNAL_SERVER_ERROR")) return false;
    return !(answer.data === null && codes.length > 0 && codes.every((code) => code === "FORBIDDEN" || code === "UNAUTHENTICATED"));
  } catch {
    return false;
  }
}

/** Whether the body's operation is a mutation; unparsable documents are left to Apollo to refuse. */
function isMutation(request: GuardedRequest): boolean {
  const params = graphqlParamsOf(request.body);
  if (!params || typeof params.query !== "string") return false;
  try {
    const operationName = typeof params.operationName === "string" ? params.operationName : undefined;
    return getOperationAST(parse(params.query), operationName)?.operation === "mutation";
  } catch {
    return false;
  }
}

/** The request's document, operationName and variables, hashed (object keys sorted, so their order does not matter). */
export function requestHashOf(body: unknown): string {
  const params = graphqlParamsOf(body) ?? {};
  const canonical = canonicalJson([params.query ?? null, params.operationName ?? null, params.variables ?? null]);
  return createHash("sha256").update(canonical).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
