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
  let nodes: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    const next: FieldNode[] = [];
    // A fragment spread twice (or in two of the nodes) gives the same fields: walk it once per step.
    const visited = new Set<string>();
    for (const node of nodes) {
      if (!node.selectionSet || !collectFields(info, node.selectionSet, name, next, visited)) return null;
    }
    if (next.length === 0) return null;
    nodes = next;
  }
  const type = info.schema.getType(typeName);
  const definition = isObjectType(type) ? type.getFields()[path[path.length - 1]] : undefined;
  if (!definition) return null;
  const [first, ...others] = nodes.map((node) => getArgumentValues(definition, node, info.variableValues));
  const key = JSON.stringify(first);
  return others.every((args) => JSON.stringify(args) === key) ? first : null;
}

/**
 * Adds the fields named `name` in a selection set (through fragments) to
 * `into`; false if any is conditional. Each fragment is expanded once per
 * collection (`visited`), so fragments that spread others twice, level after
 * level, cost their size and not two to the power of their depth.
 */
function collectFields(info: GraphQLResolveInfo, selectionSet: SelectionSetNode, name: string, into: FieldNode[], visited: Set<string>): boolean {
  for (const selection of selectionSet.selections) {
    if (selection.directives?.length) return false;
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name) into.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!collectFields(info, selection.selectionSet, name, into, visited)) return false;
    } else {
      if (visited.has(selection.name.value)) continue;
      visited.add(selection.name.value);
      const fragment = info.fragments[selection.name.value];
      if (!fragment || fragment.directives?.length || !collectFields(info, fragment.selectionSet, name, into, visited)) return false;
    }
  }
  return true;
}

/**
 * The names of the fields selected at `path` below the current field (through
 * fragments; conditional ones too, since reading a field that @skip then
 * leaves out costs little and is never wrong). Empty when nothing is selected
 * there.
 */
export function selectedFieldNames(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  let nodes: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    const next: FieldNode[] = [];
    const visited = new Set<string>();
    for (const node of nodes) if (node.selectionSet) everyField(info, node.selectionSet, visited, (field) => field.name.value === name && next.push(field));
    nodes = next;
  }
  const names = new Set<string>();
  const visited = new Set<string>();
  for (const node of nodes) if (node.selectionSet) everyField(info, node.selectionSet, visited, (field) => names.add(field.name.value));
  return names;
}

/** Calls `visit` with each field of a selection set, conditional or not, through fragments (each expanded once). */
function everyField(info: GraphQLResolveInfo, selectionSet: SelectionSetNode, visited: Set<string>, visit: (field: FieldNode) => unknown): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) visit(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) everyField(info, selection.selectionSet, visited, visit);
    else if (!visited.has(selection.name.value)) {
      visited.add(selection.name.value);
      const fragment = info.fragments[selection.name.value];
      if (fragment) everyField(info, fragment.selectionSet, visited, visit);
    }
  }
}
