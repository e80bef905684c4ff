import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { printCrmSubgraphSdl } from "../../src/graphql/schema";
import { contractGaps } from "../support/contract-coverage";

const root = join(__dirname, "..", "..");
const contractDir = join(root, "contract");
const contractFiles = readdirSync(contractDir).filter((file) => file.endsWith(".graphql")).sort();
// Beside the team's shared folder, .ci/run also checks that contract/ has not drifted from
// ../shared/contract and runs the team's contract-check tool; these tests need only the repo.
const read = (path: string) => readFileSync(path, "utf8");

describe("schema.graphql", () => {
  it("is exactly the SDL the code emits (run `npm run schema:emit` after changing the API)", async () => {
    expect(read(join(root, "schema.graphql"))).toBe(await printCrmSubgraphSdl());
  });

  it("covers every type, field, argument, enum value and key of the contract in contract/", () => {
    expect(contractFiles).toContain("crm.graphql");
    const contract = ["crm.graphql", ...contractFiles.filter((file) => file !== "crm.graphql")].map((file) => read(join(contractDir, file)));
    expect(contractGaps(read(join(root, "schema.graphql")), contract)).toEqual([]);
  });

  it("the check finds what a schema lacks", () => {
    const contract = 'type Lead @key(fields: "id") { id: ID! score(at: Int): Int! }\nenum LeadStatus { NEW LOST }\ninput LeadFilter { q: String }';
    const schema = "type Lead { id: ID! score: Int }\nenum LeadStatus { NEW }\ntype LeadFilter { q: String }";
    expect(contractGaps(schema, [contract])).toEqual([
      "Lead.score is Int, the contract says Int!",
      "Lead.score(at) is missing, the contract says Int",
      'missing @key(fields: "id") on Lead',
      "missing enum value LeadStatus.LOST",
      "LeadFilter is a ObjectTypeDefinition, the contract says InputObjectTypeDefinition",
    ]);
  });
});
