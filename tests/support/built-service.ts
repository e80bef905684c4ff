import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..", "..");

/**
 * dist/ up to date with the sources, for tests that run the built service or its tools as
 * operators do. Builds only when stale and one build at a time (scripts/build.mjs), so test
 * files running in parallel never rewrite dist/ under a process another one started.
 */
export function ensureBuilt(): void {
  const build = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "--if-stale"], { cwd: root, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
}
