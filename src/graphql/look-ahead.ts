import {
  getArgumentValues,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from "graphql";

/**
 * The arguments of a field selected below the one being resolved, so a
 * resolver can fetch it in the same statement (a page of leads with their
 * activities, say) instead of leaving it to a later batch.
 *
 * `path` leads from the current field to the wanted one through field names
 * (["edges", "node", "activities"]); `typeName` is the type that declares the
 * wanted field. Answers null whenever planning ahead is not plainly right:
 * the field is not selected, is selected twice with different arguments, or
 * something on the way is conditional (@skip, @include). The field's own
 * resolver then fetches it as usual.
 */
export function argumentsOfSelected(info: GraphQLResolveInfo, path: readonly string[], typeName: string): Record<string, unknown> | null {
  const nodes = fieldsAt(info, path, "refuse");
  if (!nodes?.length) return null;
  const type = info.schema.getType(typeName);
  const definition = isObjectType(type) ? type.getFields()[path[path.length - 1]] : undefined;
  if (!definition) return null;
  const [first, ...others] = nodes.map((node) => getArgumentValues(definition, node, info.variableValues));
  const key = JSON.stringify(first);
  return others.every((args) => JSON.stringify(args) === key) ? first : null;
}

/**
 * The names of the fields selected at `path` below the current field (through
 * fragments; conditional ones too, since reading a field that @skip then
 * leaves out costs little and is never wrong). Empty when nothing is selected
 * there.
 */
export function selectedFieldNames(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  const names = new Set<string>();
  const visited = new Set<string>();
  for (const node of fieldsAt(info, path, "include") ?? []) {
    if (node.selectionSet) eachField(info, node.selectionSet, visited, "include", (field) => names.add(field.name.value));
  }
  return names;
}

/** What a walk does at a conditional selection (@skip, @include): gives up, or takes it as selected. */
type Conditionals = "refuse" | "include";

/**
 * The field nodes `path` leads to from the current field (the same field
 * selected several times gives several nodes); null if the walk met a
 * conditional selection and `conditionals` is "refuse".
 */
function fieldsAt(info: GraphQLResolveInfo, path: readonly string[], conditionals: Conditionals): FieldNode[] | null {
  let nodes: FieldNode[] = [...info.fieldNodes];
  for (const name of path) {
    const next: FieldNode[] = [];
    // A fragment spread twice (or in two of the nodes) gives the same fields: walk it once per step.
    const visited = new Set<string>();
    for (const node of nodes) {
      if (!node.selectionSet) continue;
      const walked = eachField(info, node.selectionSet, visited, conditionals, (field) => {
        if (field.name.value === name) next.push(field);
      });
      if (!walked) return null;
    }
    nodes = next;
  }
  return nodes;
}

/**
 * Calls `visit` with each field of a selection set, through fragments; false
 * (and stops) at a conditional selection when `conditionals` is "refuse".
 * Each fragment is expanded once per walk (`visited`), so fragments that
 * spread others twice, level after level, cost their size and not two to the
 * power of their depth.
 */
function eachField(
  info: GraphQLResolveInfo,
  selectionSet: SelectionSetNode,
  visited: Set<string>,
  conditionals: Conditionals,
  visit: (field: FieldNode) => void,
): boolean {
  for (const selection of selectionSet.selections) {
    if (selection.directives?.length && conditionals === "refuse") return false;
    if (selection.kind === Kind.FIELD) {
      visit(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!eachField(info, selection.selectionSet, visited, conditionals, visit)) return false;
    } else if (!visited.has(selection.name.value)) {
      visited.add(selection.name.value);
      const fragment = info.fragments[selection.name.value];
      if (!fragment) {
        if (conditionals === "refuse") return false;
        continue;
      }
      if (fragment.directives?.length && conditionals === "refuse") return false;
      if (!eachField(info, fragment.selectionSet, visited, conditionals, visit)) return false;
    }
  }
  return true;
}
