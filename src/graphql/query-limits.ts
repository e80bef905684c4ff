import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxComplexity: number;
  /** Fields, fragment spreads and inline fragments once every fragment is expanded where it is used. */
  maxSelections: number;
  /** Fragment spreads once every fragment is expanded where it is used. */
  maxFragmentSpreads: number;
}

/**
 * `maxSelections` stays under graphql-query-complexity's own node limit
 * (10,000): a document it would have to walk further than that is refused
 * here first, so the cost estimate only ever runs on a bounded expansion.
 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxAliases: 50,
  maxComplexity: 20_000,
  maxSelections: 5_000,
  maxFragmentSpreads: 1_000,
};

const DEFAULT_PAGE = 20;

/**
 * Cost grows with the list sizes a query asks for: a connection field costs
 * `first` (or `last`, paging backward) times its selection, `_entities`
 * the number of representations.
 */
const listAwareEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const child = Math.max(1, childComplexity);
  if (field.name === "_entities") return Array.isArray(args.representations) ? args.representations.length * child : child;
  if (field.args.some((arg) => arg.name === "first")) {
    const sizes = [args.first, args.last].filter((size): size is number => typeof size === "number" && size > 0);
    return 1 + (sizes.length ? Math.max(...sizes) : DEFAULT_PAGE) * child;
  }
  return 1 + childComplexity;
};

export function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "QUERY_TOO_COMPLEX", http: { status: 400 } } });
}

/** What a document asks for once its fragments are expanded where they are used. */
export interface DocumentShape {
  depth: number;
  aliases: number;
  selections: number;
  spreads: number;
}

interface SelectionShape {
  /** Nesting below the selection set: 0 for leaves only. */
  height: number;
  aliases: number;
  selections: number;
  spreads: number;
}

const NOTHING: SelectionShape = { height: 0, aliases: 0, selections: 0, spreads: 0 };

/**
 * Depth, aliases, selections and spreads of every operation of the document.
 * Each fragment is measured once and its shape reused at every spread, so the
 * cost is linear in the document's size however its fragments nest: a chain
 * of fragments that each spread the next twice is counted, not walked (its
 * expanded size doubles per level and soon reads as Infinity, which is fine:
 * it only has to be compared with a limit).
 */
export function measureDocument(document: DocumentNode): DocumentShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measuredFragments = new Map<string, SelectionShape>();

  const ofFragment = (name: string): SelectionShape => {
    const known = measuredFragments.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    // Unknown or cyclic fragments are validation's to refuse; they add nothing here.
    measuredFragments.set(name, NOTHING);
    const shape = fragment ? ofSelections(fragment.selectionSet) : NOTHING;
    measuredFragments.set(name, shape);
    return shape;
  };

  const ofSelections = (selectionSet: SelectionSetNode): SelectionShape => {
    const total = { height: 0, aliases: 0, selections: 0, spreads: 0 };
    for (const selection of selectionSet.selections) {
      total.selections += 1;
      let inner = NOTHING;
      let nesting = 0;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) total.aliases += 1;
        if (selection.selectionSet) {
          inner = ofSelections(selection.selectionSet);
          nesting = 1;
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = ofSelections(selection.selectionSet);
      } else {
        total.spreads += 1;
        inner = ofFragment(selection.name.value);
      }
      total.height = Math.max(total.height, inner.height + nesting);
      total.aliases += inner.aliases;
      total.selections += inner.selections;
      total.spreads += inner.spreads;
    }
    return total;
  };

  const shape: DocumentShape = { depth: 0, aliases: 0, selections: 0, spreads: 0 };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const operation = ofSelections(definition.selectionSet);
    shape.depth = Math.max(shape.depth, operation.height + 1);
    shape.aliases += operation.aliases;
    shape.selections += operation.selections;
    shape.spreads += operation.spreads;
  }
  return shape;
}

export interface OperationToMeasure {
  document: DocumentNode;
  operation: OperationDefinitionNode | null | undefined;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
}

/**
 * Refuses hostile documents before any resolver runs (and before anything
 * costly: every check here is linear in the document's size): too many
 * selections or fragment spreads once expanded, too deep, too many aliases,
 * too costly. Throws a QUERY_TOO_COMPLEX error; used by every transport.
 */
export function createQueryLimiter(schema: GraphQLSchema, limits: QueryLimits = DEFAULT_QUERY_LIMITS) {
  // The same parsed document comes back for the same query text: measure each once.
  const measured = new WeakMap<DocumentNode, DocumentShape>();
  const constantComplexity = new WeakMap<OperationDefinitionNode, number>();

  return ({ document, operation, operationName, variables }: OperationToMeasure): void => {
    let shape = measured.get(document);
    if (!shape) measured.set(document, (shape = measureDocument(document)));
    if (shape.spreads > limits.maxFragmentSpreads) {
      throw tooComplex(`Query expands to more than ${limits.maxFragmentSpreads} fragment spreads`);
    }
    if (shape.selections > limits.maxSelections) throw tooComplex(`Query expands to more than ${limits.maxSelections} selections`);
    if (shape.depth > limits.maxDepth) throw tooComplex(`Query depth ${shape.depth} exceeds the limit of ${limits.maxDepth}`);
    if (shape.aliases > limits.maxAliases) throw tooComplex(`Query uses ${shape.aliases} aliases; the limit is ${limits.maxAliases}`);
    // Without variables, the cost cannot change from one request to the next.
    const constant = operation !== null && operation !== undefined && !operation.variableDefinitions?.length;
    let complexity = constant ? constantComplexity.get(operation) : undefined;
    if (complexity === undefined) {
      try {
        complexity = getComplexity({
          schema,
          query: document,
          operationName: operationName ?? undefined,
          variables: variables ?? {},
          estimators: [listAwareEstimator],
        });
      } catch (error) {
        // Its own node limit cannot be reached past maxSelections; should it be, the document is too big all the same.
        if (error instanceof Error && /maximum allowed number of nodes/.test(error.message)) throw tooComplex(error.message);
        return; // invalid variables: execution refuses them with BAD_USER_INPUT and the field
      }
      if (constant) constantComplexity.set(operation, complexity);
    }
    if (complexity > limits.maxComplexity) {
      throw tooComplex(`Query complexity ${complexity} exceeds the limit of ${limits.maxComplexity}`);
    }
  };
}
