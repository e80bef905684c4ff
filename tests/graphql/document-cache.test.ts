import { buildSchema, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { DocumentCache } from "../../src/graphql/document-cache";

// Parse and validation once per document text: the same answers as checking
// afresh (refusals included), the same rules (the production introspection
// ban), and bounded in entries and characters.

const schema = buildSchema(`type Query { lead(id: ID!): Lead leads: [Lead!]! } type Lead { id: ID! name: String! }`);
const rules = [...specifiedRules];
const productionRules = [...specifiedRules, NoSchemaIntrospectionCustomRule];

describe("DocumentCache", () => {
  it("parses a document once: the second check of the same text returns the same AST", () => {
    const cache = new DocumentCache(schema, rules);
    const first = cache.check("{ leads { id } }");
    expect(first.document).toBeDefined();
    expect(first.validationErrors).toBeUndefined();
    expect(cache.check("{ leads { id } }").document).toBe(first.document);
    expect(cache.size).toBe(1);
  });

  it("gives the validation errors a fresh validate gives, on the first and on later checks", () => {
    const cache = new DocumentCache(schema, rules);
    const text = "{ leads { id nope } lead { name } }";
    const fresh = validate(schema, parse(text), rules).map((error) => [error.message, error.locations]);
    expect(fresh.length).toBe(2);
    for (let k = 0; k < 2; k++) {
      expect(cache.check(text).validationErrors?.map((error) => [error.message, error.locations])).toEqual(fresh);
    }
  });

  it("gives the syntax error parse gives, every time", () => {
    const cache = new DocumentCache(schema, rules);
    for (let k = 0; k < 2; k++) {
      const checked = cache.check("{ leads { id }");
      expect(checked.document).toBeUndefined();
      expect(checked.syntaxError?.message).toBe("Syntax Error: Expected Name, found <EOF>.");
      expect(checked.syntaxError?.locations).toEqual([{ line: 1, column: 15 }]);
    }
  });

  it("applies the rules it was given to every check: introspection stays refused when the text comes again", () => {
    const production = new DocumentCache(schema, productionRules);
    const development = new DocumentCache(schema, rules);
    for (let k = 0; k < 3; k++) {
      const refused = production.check("{ __schema { types { name } } }").validationErrors?.map((error) => error.message) ?? [];
      expect(refused.length).toBeGreaterThan(0);
      for (const message of refused) expect(message).toMatch(/introspection/i);
      expect(development.check("{ __schema { types { name } } }").validationErrors).toBeUndefined();
    }
  });

  it("keeps at most maxEntries documents, dropping the least recently used", () => {
    const cache = new DocumentCache(schema, rules, { maxEntries: 3, maxTotalChars: 1_000_000, maxDocumentChars: 10_000 });
    const texts = Array.from({ length: 5 }, (_, k) => `query Q${k} { leads { id } }`);
    const first = cache.check(texts[0]).document;
    cache.check(texts[1]);
    cache.check(texts[2]);
    cache.check(texts[0]); // used again: texts[1] is now the oldest
    cache.check(texts[3]);
    cache.check(texts[4]);
    expect(cache.size).toBe(3);
    expect(cache.check(texts[0]).document).toBe(first);
    const secondAgain = cache.check(texts[1]).document;
    expect(cache.check(texts[1]).document).toBe(secondAgain);
    expect(cache.size).toBe(3);
  });

  it("keeps at most maxTotalChars of text, and never a document longer than maxDocumentChars", () => {
    const cache = new DocumentCache(schema, rules, { maxEntries: 1_000, maxTotalChars: 100, maxDocumentChars: 60 });
    for (let k = 0; k < 10; k++) cache.check(`query Q${k} { leads { id name } }`); // 33 characters each
    expect(cache.size).toBe(3);
    const long = `query Long { ${"leads { id } ".repeat(10)}}`;
    const once = cache.check(long).document;
    expect(cache.check(long).document).not.toBe(once);
    expect(cache.size).toBe(3);
  });
});
