import { GraphQLError, GraphQLScalarType, Kind } from "graphql";
import { isSupportedInstant } from "../domain/shared/instant";

// Strict enough to refuse "tomorrow" or "1", loose enough for any ISO-8601 instant with a zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function parseInstant(value: unknown): Date {
  if (typeof value !== "string" || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError("DateTime must be an ISO-8601 timestamp with a time zone, e.g. 2026-11-24T10:00:00.000Z", {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  // Year 0 or 275760 parse in JavaScript but PostgreSQL refuses them: bad input, not a failed statement.
  if (!isSupportedInstant(Date.parse(value))) {
    throw new GraphQLError("DateTime must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z", {
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  return new Date(value);
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "An ISO-8601 timestamp in UTC, e.g. 2026-11-24T10:00:00.000Z.",
  serialize(value) {
    // Events carried through Redis bring their timestamps back as strings.
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError("not a timestamp");
    return date.toISOString();
  },
  parseValue: parseInstant,
  parseLiteral(ast) {
    return parseInstant(ast.kind === Kind.STRING ? ast.value : undefined);
  },
});

function literalToJson(ast: import("graphql").ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((value) => literalToJson(value, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, literalToJson(field.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      return undefined;
  }
}

export const JsonScalar = new GraphQLScalarType({
  name: "JSON",
  description: "Arbitrary JSON (an event's payload).",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalToJson,
});
