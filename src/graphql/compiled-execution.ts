import { execute, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import type { RequestContext } from "./context";
import type { PreparedOperation } from "./operation-pipeline";

/** A document's operation compiled, `false` where graphql-jit declined it (graphql-js runs it then), or its uses so far. */
type Compiled = CompiledQuery | false | { uses: number };

/**
 * Queries and mutations executed by code compiled once per document
 * (graphql-jit) instead of graphql-js walking the document field by field on
 * every request: the same resolvers, the same answers, a fraction of the
 * work per field and of the garbage. Measured in bench/ (list: 50 leads with
 * their activities, about 1,000 fields): see bench/README.md.
 *
 * A document is compiled the second time it is executed (`compileAfterUses`,
 * 1; the test suite says 0, so every test runs compiled code): the document cache
 * hands out the same AST for the same text, so a document clients repeat is
 * compiled once and kept as long as the cache keeps its AST (a WeakMap), and
 * a one-off document (an engineer exploring in Sandbox, or one too long to
 * cache, which is parsed anew each time) never pays for compiling.
 */
export class CompiledExecution {
  private readonly seen = new WeakMap<DocumentNode, Map<string, Compiled>>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly compileAfterUses = 1,
    private readonly onCompiled: () => void = () => {},
  ) {}

  execute(prepared: PreparedOperation, context: RequestContext): Promise<ExecutionResult> | ExecutionResult {
    const compiled = this.compiledFor(prepared);
    if (compiled) return compiled.query(undefined, context, prepared.variableValues) as Promise<ExecutionResult> | ExecutionResult;
    return execute({
      schema: this.schema,
      document: prepared.document,
      operationName: prepared.operationName,
      variableValues: prepared.variableValues,
      contextValue: context,
    });
  }

  private compiledFor({ document, operationName }: PreparedOperation): CompiledQuery | null {
    let byOperation = this.seen.get(document);
    if (!byOperation) this.seen.set(document, (byOperation = new Map()));
    const key = operationName ?? "";
    const known = byOperation.get(key) ?? { uses: 0 };
    if (known === false) return null;
    if (!("uses" in known)) return known;
    if (known.uses < this.compileAfterUses) {
      byOperation.set(key, { uses: known.uses + 1 });
      return null;
    }
    const compiled = compileOrNull(this.schema, document, operationName);
    if (compiled) this.onCompiled();
    byOperation.set(key, compiled ?? false);
    return compiled;
  }
}

/** The compiled operation, or null where graphql-jit declines or fails on a document (graphql-js, the reference, runs it then). */
function compileOrNull(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): CompiledQuery | null {
  try {
    const result = compileQuery(schema, document, operationName);
    return isCompiledQuery(result) ? result : null;
  } catch {
    return null;
  }
}
