import { getArgumentValues, Kind, type GraphQLSchema } from "graphql";
import type { AuthState } from "../infrastructure/auth/principal";
import { visibilityOf } from "./auth";
import type { PreparedOperation } from "./operation-pipeline";

/**
 * Arguments that make a subscription its subscriber's own: `after` replays
 * that subscriber's history before it goes live (resume-lead-events.ts), so
 * no two resumed subscriptions produce the same stream.
 */
const PER_SUBSCRIBER_ARGUMENTS = ["after"];

/** JSON with object keys sorted: the same variables spelled in another key order are the same shape. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The key under which subscribers share one execution per event: everything
 * an event's result depends on, and nothing else. The document as sent and
 * the operation name; the values of the declared variables (a variable left
 * out differs from one sent as null: a default applies to the first only);
 * what the caller may see (tenant and roles, see `visibilityOf`). Null when
 * the subscription cannot be shared: not authenticated, a root selection that
 * is not a plain field, or a per-subscriber argument (a resume).
 */
export function subscriptionShapeOf(schema: GraphQLSchema, query: string, prepared: PreparedOperation, auth: AuthState | undefined): string | null {
  if (auth?.kind !== "authenticated") return null;
  const selections = prepared.operation.selectionSet.selections;
  const root = selections.length === 1 ? selections[0] : undefined;
  if (root?.kind !== Kind.FIELD) return null;
  const field = schema.getSubscriptionType()?.getFields()[root.name.value];
  if (!field) return null;
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(field, root, prepared.variableValues);
  } catch {
    return null; // a bad argument is refused by the subscription's own execution, unshared
  }
  if (PER_SUBSCRIBER_ARGUMENTS.some((name) => args[name] != null)) return null;
  const variables: Record<string, unknown> = {};
  for (const definition of prepared.operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (Object.hasOwn(prepared.variableValues, name)) variables[name] = prepared.variableValues[name];
  }
  return canonicalJson([visibilityOf(auth.principal), prepared.operationName ?? null, query, variables]);
}
