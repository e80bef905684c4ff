import { readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

// The supported Node versions are `engines.node`; the README states them and the image runs one of them.
// CI runs this on the machine's Node (20.20, the nearest to the oldest claimed, 20.19, available here).
const root = join(__dirname, "..", "..");
const manifest = (path: string) => JSON.parse(readFileSync(path, "utf8")) as { engines?: { node?: string }; dependencies?: Record<string, string> };
const project = manifest(join(root, "package.json"));
const supported = project.engines?.node ?? "";

describe("supported Node versions", () => {
  it("include the Node running the tests", () => {
    expect(semver.satisfies(process.version, supported), `${process.version} is not in engines.node "${supported}"`).toBe(true);
  });

  it("claim no version a production dependency refuses", () => {
    for (const name of Object.keys(project.dependencies ?? {})) {
      const theirs = manifest(join(root, "node_modules", name, "package.json")).engines?.node;
      if (theirs) expect(semver.subset(supported, theirs), `${name} needs node ${theirs}`).toBe(true);
    }
  });

  it("are stated in the README, and the image runs one of them", () => {
    expect(readFileSync(join(root, "README.md"), "utf8")).toContain(supported);
    const image = /^FROM node:(\d+)/m.exec(readFileSync(join(root, "Dockerfile"), "utf8"))?.[1];
    expect(semver.intersects(`${image}.x`, supported)).toBe(true);
  });
});
