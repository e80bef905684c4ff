import { SpanStatusCode, trace } from "@opentelemetry/api";
import { Kind, type OperationDefinitionNode } from "graphql";

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
 * Names the request's span (made by graphql-http-handler.ts, active here)
 * after its operation (`query ListLeads`), with its type, name and root
 * fields. Never the document or the variables: literals and variables carry
 * the callers' data (emails, names). Called by both request paths (Apollo's
 * tracingPlugin and the direct executor); without tracing there is no active
 * span and this does nothing.
 */
export function nameRequestSpan(operation: OperationDefinitionNode): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  const name = operation.name?.value;
  const rootFields = rootFieldsOf(operation);
  span.updateName(`${operation.operation} ${name ?? rootFields[0] ?? ""}`.trim());
  span.setAttribute("graphql.operation.type", operation.operation);
  if (name) span.setAttribute("graphql.operation.name", name);
  span.setAttribute("graphql.operation.root_fields", rootFields);
}

/** Records the answer's error codes on the request's span; an internal error marks it failed. */
export function recordRequestErrors(codes: string[]): void {
  if (codes.length === 0) return;
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.setAttribute("graphql.error.codes", [...new Set(codes)]);
  if (codes.includes("INTERNAL_SERVER_ERROR")) span.setStatus({ code: SpanStatusCode.ERROR });
}
