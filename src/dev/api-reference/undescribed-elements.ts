import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType, type GraphQLNamedType, type GraphQLSchema } from "graphql";
import { isFederationInternalField, isFederationInternalType } from "./federation-internals";

/** The API's own types: GraphQL's built-in scalars and introspection types are described by the spec. */
function ownTypes(schema: GraphQLSchema): GraphQLNamedType[] {
  return Object.values(schema.getTypeMap())
    .filter((type) => !type.name.startsWith("__") && !isSpecifiedScalarType(type) && !isFederationInternalType(type.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // code points: the same order on every machine
}

const hasText = (description: string | null | undefined) => Boolean(description?.trim());

/**
 * Every type, field, argument, input field and enum value of the schema that has no
 * description, as `Type`, `Type.field`, `Type.field(argument)` or `Enum.VALUE`. The root
 * types (Query, Mutation, Subscription) need none themselves: their fields carry the meaning.
 */
export function undescribedElements(schema: GraphQLSchema): string[] {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean).map((type) => type!.name));
  const missing: string[] = [];
  for (const type of ownTypes(schema)) {
    if (!roots.has(type.name) && !hasText(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (isFederationInternalField(type.name, field.name)) continue;
        if (!hasText(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const argument of field.args) if (!hasText(argument.description)) missing.push(`${type.name}.${field.name}(${argument.name})`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (!hasText(field.description)) missing.push(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (!hasText(value.description)) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing;
}
