import type { ApolloServerPlugin } from "@apollo/server";
import { trace } from "@opentelemetry/api";
import type { RequestContext } from "./context";
import { nameRequestSpan, recordRequestErrors } from "./request-span";

/**
 * Apollo's side of the request span (the direct executor does the same in
 * direct-execution.ts): names it once Apollo has resolved the operation and
 * records the error codes of the answer.
 */
export function tracingPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      if (!trace.getActiveSpan()?.isRecording()) return;
      return {
        async didResolveOperation({ operation }) {
          if (operation) nameRequestSpan(operation);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === "single" ? (response.body.singleResult.errors ?? []) : [];
          recordRequestErrors(errors.map((error) => String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR")));
        },
      };
    },
  };
}
