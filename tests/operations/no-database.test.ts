import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// `npm test` on a machine where the tests cannot get a PostgreSQL must fail,
// with one line that says why and what to do: never a green run of 0 tests.

const root = join(__dirname, "..", "..");
const scratch = mkdtempSync(join(tmpdir(), "crm-no-database-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A nested `vitest run` of one pure domain test file, with nowhere to find a database. */
function testRunWithoutDatabase(tempDir: string) {
  const run = spawnSync(process.execPath, [join(root, "node_modules", "vitest", "vitest.mjs"), "run", "tests/domain/lead-status.test.ts"], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: tempDir,
      // Nothing listens on port 1.
      TEST_DATABASE_ADMIN_URL: "postgres://postgres:not-this-password@127.0.0.1:1/postgres",
      TEST_REDIS_URL: "redis://127.0.0.1:1",
    },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.replace(/\u001b\[[0-9;]*m/g, "") };
}

describe("the test run without a reachable PostgreSQL", () => {
  it("fails with one line naming the cause and the remedy when the embedded one cannot start either", () => {
    // A temporary folder that cannot hold the embedded data directory.
    const notADirectory = join(scratch, "a-file");
    writeFileSync(notADirectory, "");
    const { status, output } = testRunWithoutDatabase(notADirectory);
    expect(status, output).not.toBe(0);
    const lines = output.split("\n").filter((line) => line.startsWith("No PostgreSQL for the tests:"));
    expect(lines, output).toHaveLength(1);
    expect(lines[0]).toMatch(/does not answer and the embedded one could not start \(.+\)\. Start PostgreSQL .* or set TEST_DATABASE_ADMIN_URL/);
    expect(output).not.toMatch(/No test files found|passed|\n\s+at /);
    expect(output).not.toContain("not-this-password");
  }, 150_000);

  it.runIf(process.getuid?.() === 0)(
    "as root, leaves no temporary data folder behind when the embedded one cannot reach its folder",
    () => {
      // Like /root: a folder of root's, closed to the postgres user that initdb runs as.
      const closed = mkdtempSync(join(scratch, "closed-"));
      const { status, output } = testRunWithoutDatabase(closed);
      expect(status, output).not.toBe(0);
      expect(output).toMatch(/No PostgreSQL for the tests: .*cannot enter/);
      expect(readdirSync(closed)).toEqual([]);
    },
    150_000,
  );
});
