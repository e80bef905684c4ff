import { Kind, parse, print, type ConstDirectiveNode, type EnumValueDefinitionNode, type FieldDefinitionNode, type InputValueDefinitionNode, type NameNode } from "graphql";

// The contract check this repository carries itself, so a clone on its own can tell whether
// schema.graphql honours contract/*.graphql (the team's tool in ../shared runs in CI when present).

interface TypeShape {
  kind: string;
  fields: Map<string, { type: string; args: Map<string, string> }>;
  values: Set<string>;
  keys: Set<string>;
}
type Definition = {
  kind: string;
  name?: NameNode;
  fields?: readonly (FieldDefinitionNode | InputValueDefinitionNode)[];
  values?: readonly EnumValueDefinitionNode[];
  directives?: readonly ConstDirectiveNode[];
};

/** `@key(fields: "id", resolvable: false)` as `id (resolvable: false)`. */
function keyOf(directive: ConstDirectiveNode): string {
  const argument = (name: string) => directive.arguments?.find((arg) => arg.name.value === name)?.value;
  const fields = argument("fields");
  const resolvable = argument("resolvable");
  const spelled = fields?.kind === Kind.STRING ? fields.value.trim() : "?";
  return resolvable?.kind === Kind.BOOLEAN && !resolvable.value ? `${spelled} (resolvable: false)` : spelled;
}

/** Types of an SDL by name; extensions merge into their type, and later files override earlier fields. */
function shapes(sources: string[]): Map<string, TypeShape> {
  const types = new Map<string, TypeShape>();
  for (const source of sources) {
    for (const definition of parse(source).definitions as readonly Definition[]) {
      if (!definition.name) continue;
      const name = definition.name.value;
      const shape = types.get(name) ?? { kind: definition.kind.replace(/Extension$/, "Definition"), fields: new Map(), values: new Set<string>(), keys: new Set<string>() };
      for (const field of definition.fields ?? []) {
        const args = "arguments" in field ? (field.arguments ?? []) : [];
        shape.fields.set(field.name.value, { type: print(field.type), args: new Map(args.map((arg) => [arg.name.value, print(arg.type)])) });
      }
      for (const value of definition.values ?? []) shape.values.add(value.name.value);
      for (const directive of definition.directives ?? []) if (directive.name.value === "key") shape.keys.add(keyOf(directive));
      types.set(name, shape);
    }
  }
  return types;
}

/**
 * What `schema` lacks of the contract: every type, field, argument, enum value and
 * `@key` of the contract must be in the schema with the same kind and type (more is fine).
 */
export function contractGaps(schema: string, contract: string[]): string[] {
  const have = shapes([schema]);
  const gaps: string[] = [];
  for (const [name, want] of shapes(contract)) {
    const got = have.get(name);
    if (!got) {
      gaps.push(`missing type ${name}`);
      continue;
    }
    if (got.kind !== want.kind) gaps.push(`${name} is a ${got.kind}, the contract says ${want.kind}`);
    for (const [field, wanted] of want.fields) {
      const found = got.fields.get(field);
      if (!found) gaps.push(`missing field ${name}.${field}`);
      else {
        if (found.type !== wanted.type) gaps.push(`${name}.${field} is ${found.type}, the contract says ${wanted.type}`);
        for (const [arg, type] of wanted.args) {
          if (found.args.get(arg) !== type) gaps.push(`${name}.${field}(${arg}) is ${found.args.get(arg) ?? "missing"}, the contract says ${type}`);
        }
      }
    }
    for (const value of want.values) if (!got.values.has(value)) gaps.push(`missing enum value ${name}.${value}`);
    for (const key of want.keys) if (!got.keys.has(key)) gaps.push(`missing @key(fields: "${key}") on ${name}`);
  }
  return gaps;
}
