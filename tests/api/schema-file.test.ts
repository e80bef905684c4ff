import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { printCrmSubgraphSdl } from "../../src/graphql/schema";

const root = join(__dirname, "..", "..");
const contractCheck = join(root, "..", "shared", "tools", "contract-check.mjs");

describe("schema.graphql", () => {
  it("is exactly the SDL the code emits (run `npm run schema:emit` after changing the API)", async () => {
    const checkedIn = readFileSync(join(root, "schema.graphql"), "utf8");
    expect(checkedIn).toBe(await printCrmSubgraphSdl());
  });

  it.skipIf(!existsSync(contractCheck))("covers every type, field, argument and key of the contract", () => {
    const result = spawnSync(process.execPath, [contractCheck, "schema.graphql"], { cwd: root, encoding: "utf8" });
    expect(result.stdout + result.stderr).toContain("covers all");
    expect(result.status).toBe(0);
  });
});
