import type { ApolloServerPlugin } from "@apollo/server";
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
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 50, maxComplexity: 20_000 };

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

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "QUERY_TOO_COMPLEX", http: { status: 400 } } });
}

/** Depth and alias count of the operation, following fragments (each counted once per use). */
function measure(document: DocumentNode): { depth: number; aliases: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let aliases = 0;
  const walk = (selectionSet: SelectionSetNode, depth: number, seen: Set<string>): number => {
    let deepest = depth;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases += 1;
        if (selection.selectionSet) deepest = Math.max(deepest, walk(selection.selectionSet, depth + 1, seen));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, walk(selection.selectionSet, depth, seen));
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          deepest = Math.max(deepest, walk(fragment.selectionSet, depth, new Set([...seen, fragment.name.value])));
        }
      }
    }
    return deepest;
  };
  let depth = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) depth = Math.max(depth, walk(definition.selectionSet, 1, new Set()));
  }
  return { depth, aliases };
}

const measured = new WeakMap<DocumentNode, { depth: number; aliases: number }>();
const constantComplexity = new WeakMap<OperationDefinitionNode, number>();

/** Refuses hostile queries before any resolver runs: too deep, too many aliases, too costly. */
export function queryLimitsPlugin(schema: GraphQLSchema, limits: QueryLimits = DEFAULT_QUERY_LIMITS): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operation }) {
          // Apollo hands the same parsed document for the same query text: measure each once.
          let shape = measured.get(document);
          if (!shape) measured.set(document, (shape = measure(document)));
          const { depth, aliases } = shape;
          if (depth > limits.maxDepth) throw tooComplex(`Query depth ${depth} exceeds the limit of ${limits.maxDepth}`);
          if (aliases > limits.maxAliases) throw tooComplex(`Query uses ${aliases} aliases; the limit is ${limits.maxAliases}`);
          // Without variables, the cost cannot change from one request to the next.
          const constant = operation !== null && operation !== undefined && !operation.variableDefinitions?.length;
          let complexity = constant ? constantComplexity.get(operation) : undefined;
          if (complexity === undefined) {
            try {
              complexity = getComplexity({
                schema,
                query: document,
                operationName: request.operationName ?? undefined,
                variables: request.variables ?? {},
                estimators: [listAwareEstimator],
              });
            } catch {
              return; // invalid variables: execution refuses them with BAD_USER_INPUT and the field
            }
            if (constant) constantComplexity.set(operation, complexity);
          }
          if (complexity > limits.maxComplexity) {
            throw tooComplex(`Query complexity ${complexity} exceeds the limit of ${limits.maxComplexity}`);
          }
        },
      };
    },
  };
}
