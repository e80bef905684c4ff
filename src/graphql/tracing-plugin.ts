import type { ApolloServerPlugin } from "@apollo/server";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import { Kind, type OperationDefinitionNode } from "graphql";
import type { RequestContext } from "./context";

/** The root fields an operation selects (schema names, not aliases: aliases are the client's words). */
export function rootFieldsOf(operation: OperationDefinitionNode): string[] {
  const fields: string[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      for (const inner of selection.selectionSet.selections) if (inner.kind === Kind.FIELD) fields.push(inner.name.value);
    }
  }
  return fields;
}

/**
 * Names the request's span after its operation once Apollo has resolved it
 * (`query ListLeads`), with its type, name and root fields, and records the
 * error codes of the answer. Never the document or the variables: literals
 * and variables carry the callers' data (emails, names).
 */
export function tracingPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const span = trace.getActiveSpan();
      if (!span?.isRecording()) return;
      return {
        async didResolveOperation({ operation }) {
          if (!operation) return;
          const name = operation.name?.value;
          const rootFields = rootFieldsOf(operation);
          span.updateName(`${operation.operation} ${name ?? rootFields[0] ?? ""}`.trim());
          span.setAttribute("graphql.operation.type", operation.operation);
          if (name) span.setAttribute("graphql.operation.name", name);
          span.setAttribute("graphql.operation.root_fields", rootFields);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === "single" ? (response.body.singleResult.errors ?? []) : [];
          if (errors.length === 0) return;
          const codes = [...new Set(errors.map((error) => String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR")))];
          span.setAttribute("graphql.error.codes", codes);
          if (codes.includes("INTERNAL_SERVER_ERROR")) span.setStatus({ code: SpanStatusCode.ERROR });
        },
      };
    },
  };
}
