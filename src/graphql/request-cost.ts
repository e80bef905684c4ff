import { getOperationAST, Kind, parse, valueFromASTUntyped, type FieldNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";

// docs/domain.md: an importLeads call costs 1 per 100 rows (rounded up); any other request 1.
const ROWS_PER_TOKEN = 100;
/** Root fields that are never limited: composition's `_service` (and `__typename` beside it). */
const UNLIMITED_ROOT_FIELDS = new Set(["_service", "__typename"]);

/**
 * What a request costs from its tenant's budget: 0 for `_service` alone, the
 * imported rows for importLeads (read from its arguments, inline or through
 * variables), else 1. Most documents are not parsed here: only those that
 * name one of those fields.
 */
export function requestCost(query: unknown, operationName: unknown, variables: unknown): number {
  if (typeof query !== "string" || (!query.includes("_service") && !query.includes("importLeads"))) return 1;
  let operation: OperationDefinitionNode | null | undefined;
  try {
    operation = getOperationAST(parse(query), typeof operationName === "string" ? operationName : undefined);
  } catch {
    return 1; // Apollo refuses it, for the price of a request.
  }
  if (!operation) return 1;
  const fields = rootFields(operation.selectionSet);
  const names = fields.map((field) => field.name.value);
  if (names.includes("_service") && names.every((name) => UNLIMITED_ROOT_FIELDS.has(name))) return 0;
  const vars = variables !== null && typeof variables === "object" ? (variables as Record<string, unknown>) : {};
  let importCost = 0;
  for (const field of fields) {
    if (field.name.value !== "importLeads") continue;
    importCost += Math.max(1, Math.ceil(rowsOf(field, vars) / ROWS_PER_TOKEN));
  }
  return Math.max(1, importCost);
}

/** The root fields, looking through inline fragments (named fragments at the root are rare; they count as 1). */
function rootFields(selectionSet: SelectionSetNode): FieldNode[] {
  return selectionSet.selections.flatMap((selection) =>
    selection.kind === Kind.FIELD ? [selection] : selection.kind === Kind.INLINE_FRAGMENT ? rootFields(selection.selectionSet) : [],
  );
}

/** The rows of an import: `input.leads`' length, or failing that the longest list among its arguments. */
function rowsOf(field: FieldNode, variables: Record<string, unknown>): number {
  let longest = 0;
  for (const argument of field.arguments ?? []) {
    const value = valueFromASTUntyped(argument.value, variables);
    const leads = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>).leads : undefined;
    if (Array.isArray(leads)) return leads.length;
    longest = Math.max(longest, longestList(value));
  }
  return longest;
}

function longestList(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (value === null || typeof value !== "object") return 0;
  return Math.max(0, ...Object.values(value).map(longestList));
}
