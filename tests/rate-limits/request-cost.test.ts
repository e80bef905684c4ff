import { describe, expect, it } from "vitest";
import { requestCost } from "../../src/graphql/request-cost";

// RULES: a GraphQL request costs 1, an importLeads call 1 per 100 rows; _service is never limited.
const rows = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `Row ${i}`, email: `row${i}@example.com`, source: "IMPORT" }));
const IMPORT = `mutation Import($input: ImportLeadsInput!) { importLeads(input: $input) { rows { index } } }`;

describe("what a request costs", () => {
  it("1 for any query or mutation", () => {
    expect(requestCost("{ leads { totalCount } }", undefined, undefined)).toBe(1);
    expect(requestCost(`mutation { captureLead(input: {name: "a", email: "a@b.co", source: WEBSITE_FORM}) { id } }`, null, null)).toBe(1);
    expect(requestCost(undefined, undefined, undefined)).toBe(1); // a persisted query by hash alone
    expect(requestCost("{ not valid", undefined, undefined)).toBe(1);
  });

  it("an import: 1 per 100 rows, rounded up, from variables or inline", () => {
    expect(requestCost(IMPORT, "Import", { input: { leads: rows(1) } })).toBe(1);
    expect(requestCost(IMPORT, "Import", { input: { leads: rows(100) } })).toBe(1);
    expect(requestCost(IMPORT, "Import", { input: { leads: rows(101) } })).toBe(2);
    expect(requestCost(IMPORT, "Import", { input: { leads: rows(1000) } })).toBe(10);
    expect(requestCost(`mutation($leads: [CaptureLeadInput!]!) { importLeads(input: { leads: $leads }) { rows { index } } }`, null, { leads: rows(250) })).toBe(3);
    const inline = `mutation { importLeads(input: { leads: [${rows(201).map((r) => `{name: "${r.name}", email: "${r.email}", source: IMPORT}`).join(",")}] }) { rows { index } } }`;
    expect(requestCost(inline, null, null)).toBe(3);
  });

  it("two imports in one request add up; the named operation is the one charged", () => {
    const two = `mutation Two($a: ImportLeadsInput!, $b: ImportLeadsInput!) { a: importLeads(input: $a) { rows { index } } b: importLeads(input: $b) { rows { index } } }`;
    expect(requestCost(two, "Two", { a: { leads: rows(150) }, b: { leads: rows(50) } })).toBe(3);
    const document = `query Cheap { __typename } ${IMPORT}`;
    expect(requestCost(document, "Cheap", { input: { leads: rows(900) } })).toBe(1);
    expect(requestCost(document, "Import", { input: { leads: rows(900) } })).toBe(9);
  });

  it("0 for _service alone (composition), 1 when it comes with other fields", () => {
    expect(requestCost("{ _service { sdl } }", undefined, undefined)).toBe(0);
    expect(requestCost("query Sdl { __typename _service { sdl } }", "Sdl", undefined)).toBe(0);
    expect(requestCost("{ _service { sdl } leads { totalCount } }", undefined, undefined)).toBe(1);
  });
});
