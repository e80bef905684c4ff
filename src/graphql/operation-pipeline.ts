import type { ApolloServerPlugin } from "@apollo/server";
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type OperationTypeNode,
  type ValidationRule,
} from "graphql";
import type { AuthState } from "../infrastructure/auth/principal";
import type { Logger } from "../infrastructure/logger";
import { RequestReadSession } from "../infrastructure/read-store/request-read-session";
import { createRequestContext, type ApiServices, type RequestContext } from "./context";
import { DocumentCache } from "./document-cache";
import { createErrorFormatter } from "./errors";
import { createQueryLimiter, DEFAULT_QUERY_LIMITS, type QueryLimits } from "./query-limits";

export interface OperationPipelineOptions {
  schema: GraphQLSchema;
  services: ApiServices;
  production: boolean;
  logger: Logger;
  limits?: QueryLimits;
}

/** An operation as a client sends it, whatever the transport. */
export interface OperationRequest {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
}

/** An operation that passed parsing, validation, the query limits and variable coercion. */
export interface PreparedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  variableValues: Record<string, unknown>;
}

const coded = (message: string, code: string, from?: GraphQLError) =>
  new GraphQLError(message, { nodes: from?.nodes, source: from?.source, positions: from?.positions, extensions: { code } });

/**
 * The steps every GraphQL operation passes, over HTTP or graphql-ws, defined
 * once: parse, validate (introspection refused in production), the query
 * limits, then (in the resolvers) authentication and roles, a context of its
 * own (DataLoaders and read session per operation), execution, and one error
 * formatting (masking, codes, `extensions.field`). Apollo runs the steps for
 * HTTP with the rules and hooks given here (`validationRules`,
 * `apolloPlugin`, `formatError`); graphql-ws runs them through `prepare`,
 * `newContext` and `formatError`.
 */
export class OperationPipeline {
  readonly schema: GraphQLSchema;
  /** Added to graphql-js's specified rules by both transports. */
  readonly validationRules: ValidationRule[];
  readonly checkLimits: ReturnType<typeof createQueryLimiter>;
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  private readonly services: ApiServices;
  /** Parse and validation (with every rule above) once per document text. */
  private readonly documents: DocumentCache;

  constructor(options: OperationPipelineOptions) {
    this.schema = options.schema;
    this.services = options.services;
    this.validationRules = options.production ? [NoSchemaIntrospectionCustomRule] : [];
    this.checkLimits = createQueryLimiter(options.schema, options.limits ?? DEFAULT_QUERY_LIMITS);
    this.formatError = createErrorFormatter((error) => options.logger.error({ err: error }, "unexpected error in a resolver"));
    this.documents = new DocumentCache(options.schema, [...specifiedRules, ...this.validationRules]);
  }

  /**
   * Parse, validate, select the operation, the query limits and the
   * variables, for a transport that does not run Apollo: the coded errors
   * Apollo would answer, or the operation ready to execute.
   */
  prepare(request: OperationRequest): PreparedOperation | GraphQLError[] {
    if (typeof request.query !== "string" || request.query.trim() === "") {
      return [coded("GraphQL operations must contain a non-empty `query`.", "BAD_REQUEST")];
    }
    const operationName = typeof request.operationName === "string" ? request.operationName : undefined;
    const variables = request.variables ?? {};
    if (typeof variables !== "object" || Array.isArray(variables)) return [coded("`variables` must be an object.", "BAD_REQUEST")];
    const checked = this.documents.check(request.query);
    if (!checked.document) return [coded(checked.syntaxError?.message ?? "Syntax Error", "GRAPHQL_PARSE_FAILED", checked.syntaxError)];
    if (checked.validationErrors) return checked.validationErrors.map((error) => coded(error.message, "GRAPHQL_VALIDATION_FAILED", error));
    const document: DocumentNode = checked.document;
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      return [coded(operationName ? `Unknown operation named "${operationName}".` : "Must provide operation name if query contains multiple operations.", "OPERATION_RESOLUTION_FAILURE")];
    }
    try {
      this.checkLimits({ document, operation, operationName, variables: variables as Record<string, unknown> });
    } catch (error) {
      if (error instanceof GraphQLError) return [error];
      throw error;
    }
    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], variables as Record<string, unknown>, { maxErrors: 50 });
    if (coerced.errors) return coerced.errors.map((error) => coded(error.message, "BAD_USER_INPUT", error));
    // Execution coerces the variables again from what the client sent; coerced values (enums, Dates) would not survive a second pass.
    return { document, operation, operationName, variableValues: variables as Record<string, unknown> };
  }

  /** A context of its own for one operation (or one subscription event): never shared, so nothing it caches outlives it. */
  newContext(auth: AuthState, requestId: string): RequestContext {
    return createRequestContext(this.services, auth, requestId);
  }

  /** Where the operation reads: a mutation's answer from the primary, a read's from one connection, read-only. */
  begin(context: RequestContext, type: OperationTypeNode | undefined): void {
    if (type === "mutation") context.readYourWrites = true;
    else if ((type === "query" || type === "subscription") && context.auth.kind === "authenticated") {
      context.readSession = new RequestReadSession(context.services.reads, context.auth.principal.tenantId);
    }
  }

  /** Ends what `begin` opened: the connection goes back to the pool. */
  end(context: RequestContext): void {
    void context.readSession?.close();
  }

  /** The same limits and read set-up for Apollo's (HTTP) requests. */
  apolloPlugin(): ApolloServerPlugin<RequestContext> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ document, request, operation, contextValue }) => {
          this.checkLimits({ document, operation, operationName: request.operationName, variables: request.variables });
          this.begin(contextValue, operation?.operation);
        },
        willSendResponse: async ({ contextValue }) => this.end(contextValue),
      }),
    };
  }
}
