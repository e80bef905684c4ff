import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { Logger } from "../infrastructure/logger";
import type { Metrics } from "../infrastructure/metrics";
import type { RequestContext } from "./context";

/**
 * The operation label: the first root field when the schema has it, else
 * "other". Bounded by the schema, so clients cannot grow metric series.
 */
export function operationLabel(schema: GraphQLSchema, operation: OperationDefinitionNode | undefined | null): string {
  if (!operation) return "other";
  const root = operation.operation === "mutation" ? schema.getMutationType() : operation.operation === "subscription" ? schema.getSubscriptionType() : schema.getQueryType();
  const first = operation.selectionSet.selections.find((selection) => selection.kind === Kind.FIELD);
  const name = first?.kind === Kind.FIELD ? first.name.value : undefined;
  return name && root?.getFields()[name] ? name : "other";
}

/** What is recorded of one request, whichever way it was executed (Apollo, or the direct path). */
export interface RequestObservation {
  /** The operation once resolved (the label and type of the metrics). */
  resolved(operation: OperationDefinitionNode | undefined | null): void;
  /** The answer's error codes; records the duration, the codes and the log line. */
  finished(codes: string[]): void;
}

/** One log line and one histogram sample per request; error codes counted. */
export function observeRequest(schema: GraphQLSchema, metrics: Metrics, logger: Logger, contextValue: RequestContext): RequestObservation {
  const started = process.hrtime.bigint();
  const auth = contextValue.auth;
  // The per-request line is info: below that level (production runs at warn) no child logger is built per request.
  const log = logger.isLevelEnabled("info")
    ? logger.child({ requestId: contextValue.requestId, tenant: auth.kind === "authenticated" ? auth.principal.tenantId : undefined })
    : null;
  let operation = "other";
  let type = "unknown";
  return {
    resolved(resolved) {
      operation = operationLabel(schema, resolved);
      type = resolved?.operation ?? "unknown";
    },
    finished(codes) {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requestDuration.observe({ operation, type }, seconds);
      for (const code of codes) metrics.errors.inc({ code });
      log?.info({ operation, type, durationMs: Math.round(seconds * 1000), errors: codes.length ? codes : undefined }, "graphql request");
    },
  };
}

/** The observation of Apollo's (HTTP) requests. */
export function observabilityPlugin(schema: GraphQLSchema, metrics: Metrics, logger: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const observation = observeRequest(schema, metrics, logger, contextValue);
      return {
        async didResolveOperation({ operation }) {
          observation.resolved(operation);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === "single" ? (response.body.singleResult.errors ?? []) : [];
          observation.finished(errors.map((error) => String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR")));
        },
      };
    },
  };
}
