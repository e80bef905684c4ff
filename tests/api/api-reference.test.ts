import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSchema } from "graphql";
import { afterAll, describe, expect, it } from "vitest";
import { renderApiReference } from "../../src/dev/api-reference/render-api-reference";
import { undescribedElements } from "../../src/dev/api-reference/undescribed-elements";
import { writeApiReference } from "../../src/dev/api-reference/write-api-reference";
import { ERROR_CODES } from "../../src/graphql/error-codes";

const root = join(__dirname, "..", "..");
const docsDir = join(root, "docs", "api");
const sdl = readFileSync(join(root, "schema.graphql"), "utf8");
const scratch = mkdtempSync(join(tmpdir(), "crm-api-reference-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const filesOf = (dir: string) => new Map(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), "utf8")]));

describe("the API reference in docs/api/", () => {
  it("is exactly what `npm run docs:api` writes from schema.graphql (run it after `npm run schema:emit`)", () => {
    writeApiReference(scratch, sdl);
    expect(filesOf(docsDir)).toEqual(filesOf(scratch));
  });

  it("is the same bytes every time it is generated (no dates, no machine-dependent order)", () => {
    expect(renderApiReference(sdl)).toEqual(renderApiReference(sdl));
  });

  it("documents every type, field, argument and enum value of the public schema, and no federation plumbing", () => {
    const page = renderApiReference(sdl).get("schema.md")!;
    const schema = buildSchema(sdl);
    for (const name of ["Lead", "LeadStatus", "CaptureLeadInput", "PipelineSummary", "DateTime"]) expect(page).toContain(`### ${name}\n`);
    const lead = schema.getType("Lead") as import("graphql").GraphQLObjectType;
    for (const field of Object.values(lead.getFields())) expect(page).toContain(`id="lead.${field.name.toLowerCase()}"`);
    expect(page).toContain(lead.getFields().history.description!);
    for (const internal of ["_entities", "_service", "_Any", "link__Purpose", "federation__FieldSet"]) expect(page).not.toContain(internal);
  });

  it("lists every error code of src/graphql/error-codes.ts", () => {
    const page = renderApiReference(sdl).get("errors.md")!;
    for (const { code } of ERROR_CODES) expect(page).toMatch(new RegExp(`^\\| \`${code}\` \\|`, "m"));
  });
});

describe("descriptions in schema.graphql", () => {
  it("every public type, field, argument, input field and enum value has one (federation internals excepted)", () => {
    expect(undescribedElements(buildSchema(sdl))).toEqual([]);
  });

  it("the check lists what lacks one", () => {
    const lacking = buildSchema(`
      type Query { "described" lead(id: ID!): Lead _service: String }
      "described" type Lead { id: ID! "described" score(at: Int): Int }
      enum Status { "described" NEW LOST }
      input Filter { q: String }
      scalar _Any`);
    expect(undescribedElements(lacking)).toEqual(["Filter", "Filter.q", "Lead.id", "Lead.score(at)", "Query.lead(id)", "Status", "Status.LOST"]);
  });
});
