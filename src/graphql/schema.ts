import "reflect-metadata";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { graphql, GraphQLError, isObjectType, parse, type GraphQLSchema } from "graphql";
import { buildSchema, createResolversMap, getMetadataStorage } from "type-graphql";
import type { LiveEventBus } from "../application/live-events";
import { InProcessEventBus } from "../infrastructure/events/in-process-event-bus";
import { authChecker } from "./auth";
import { entityReferenceResolvers } from "./entity-references";
import { LeadEventsResolver } from "./resolvers/lead-events.resolver";
import { activityFields, ActivityFieldsResolver, LeadConnectionResolver, leadFields, LeadFieldsResolver } from "./resolvers/lead-fields.resolver";
import { LeadMutationsResolver } from "./resolvers/lead-mutations.resolver";
import { LeadQueriesResolver } from "./resolvers/lead-queries.resolver";
import { UserResolver, userFields } from "./resolvers/user.resolver";
import { DateTimeScalar } from "./scalars";

const FEDERATION_LINK = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@tag", "@inaccessible"])
`;

/**
 * The CRM subgraph schema: TypeGraphQL classes printed with their directives,
 * then rebuilt by @apollo/subgraph so `_service` and `_entities` exist.
 */
export async function buildCrmSubgraphSchema(liveEvents: LiveEventBus): Promise<GraphQLSchema> {
  const typeGraphQLSchema = await buildSchema({
    resolvers: [
      LeadQueriesResolver,
      LeadMutationsResolver,
      LeadFieldsResolver,
      ActivityFieldsResolver,
      LeadConnectionResolver,
      UserResolver,
      LeadEventsResolver,
    ],
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    authChecker,
    // Subscriptions read the bus from their request context (per instance);
    // type-graphql still wants one to know subscriptions can work.
    pubSub: liveEvents,
    validate: false, // the domain's value objects validate, with the codes of docs/domain.md
    skipCheck: true,
  });
  const resolvers = resolveDirectly(typeGraphQLSchema, createResolversMap(typeGraphQLSchema) as Record<string, Record<string, unknown>>);
  for (const [typeName, reference] of Object.entries(entityReferenceResolvers)) {
    resolvers[typeName] = { ...resolvers[typeName], ...(reference as Record<string, unknown>) };
  }
  const subgraph = buildSubgraphSchema({
    typeDefs: parse(FEDERATION_LINK + printSchemaWithDirectives(typeGraphQLSchema)),
    resolvers: resolvers as never,
  });
  guardRepresentations(subgraph);
  return subgraph;
}

const ROOT_TYPES = new Set(["Query", "Mutation", "Subscription"]);

/**
 * type-graphql gives every field a resolver of its own: a plain property is
 * read through a wrapper, and a field resolver's wrapper copies the parent
 * into a class instance and awaits its arguments, per call. On a page of
 * leads that is thousands of calls per request. So properties are left to
 * graphql-js's default resolver, and the per-item field resolvers are the
 * plain functions their classes delegate to.
 */
function resolveDirectly(schema: GraphQLSchema, resolvers: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  const storage = getMetadataStorage();
  const typeNameOf = (target: Function) => storage.objectTypes.find((type) => type.target === target)?.name;
  const computed = new Set(storage.fieldResolvers.map((field) => `${field.getObjectType ? typeNameOf(field.getObjectType() as Function) : ""}.${field.schemaName}`));
  for (const [typeName, fields] of Object.entries(resolvers)) {
    if (ROOT_TYPES.has(typeName) || !isObjectType(schema.getType(typeName))) continue;
    for (const fieldName of Object.keys(fields)) {
      if (!fieldName.startsWith("__") && !computed.has(`${typeName}.${fieldName}`)) delete fields[fieldName];
    }
  }
  Object.assign(resolvers.Lead, leadFields);
  Object.assign(resolvers.Activity, activityFields);
  Object.assign(resolvers.User, userFields);
  return resolvers;
}

/**
 * @apollo/subgraph trusts representations to be objects naming an entity type;
 * a malformed one would crash inside it. Refuse it first, as bad input.
 */
function guardRepresentations(schema: GraphQLSchema): void {
  const entities = schema.getQueryType()?.getFields()._entities;
  const resolve = entities?.resolve;
  if (!entities || !resolve) return;
  entities.resolve = (source, args, context, info) => {
    const representations: unknown = args.representations;
    const malformed = !Array.isArray(representations) || representations.some((representation) => !isEntityRepresentation(representation));
    if (malformed) {
      throw new GraphQLError(`Each representation must be an object with the __typename of one of: ${ENTITY_TYPES.join(", ")}`, {
        extensions: { code: "BAD_USER_INPUT", field: "representations" },
      });
    }
    return resolve(source, args, context, info);
  };
}

const ENTITY_TYPES = ["Lead", "User"];

function isEntityRepresentation(value: unknown): boolean {
  return typeof value === "object" && value !== null && ENTITY_TYPES.includes((value as { __typename?: unknown }).__typename as string);
}

/** The SDL the subgraph serves as `_service { sdl }`: what `rover subgraph publish` sends. */
export async function printCrmSubgraphSdl(): Promise<string> {
  const bus = new InProcessEventBus();
  const result = await graphql({ schema: await buildCrmSubgraphSchema(bus), source: "{ _service { sdl } }" });
  await bus.close();
  const sdl = (result.data?._service as { sdl?: string } | undefined)?.sdl;
  if (!sdl) throw new Error(`the schema did not answer _service { sdl }: ${JSON.stringify(result.errors)}`);
  return `${sdl.trimEnd()}\n`;
}
