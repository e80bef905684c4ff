import { GraphQLError } from "graphql";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { READ, requireRole } from "./auth";
import { loadersOf, type RequestContext } from "./context";
import { isUuid } from "../domain/shared/identifier";

function referencedId(reference: { id?: unknown }, typeName: string): string {
  if (!isUuid(reference.id)) {
    throw new GraphQLError(`A ${typeName} representation needs an id that is a UUID`, {
      extensions: { code: "BAD_USER_INPUT", field: "representations.id" },
    });
  }
  return reference.id.toLowerCase();
}

/**
 * How the gateway's `_entities` turns representations into objects. Apollo
 * calls these once per representation, so leads come through the request's
 * DataLoader: 100 representations, one statement. Another tenant's lead is null.
 */
export const entityReferenceResolvers: GraphQLResolverMap<RequestContext> = {
  Lead: {
    __resolveReference(reference: { id?: unknown }, context: RequestContext) {
      requireRole(context, READ);
      return loadersOf(context).leadById.load(referencedId(reference, "Lead"));
    },
  },
  User: {
    __resolveReference(reference: { id?: unknown }, context: RequestContext) {
      requireRole(context, READ);
      return { id: referencedId(reference, "User") };
    },
  },
};
