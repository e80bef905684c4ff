import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `npm start`, `npm run token`, `npm run db:migrate` and `npm run schema:emit` build only when the
// sources changed (scripts/build.mjs --if-stale), so a restart of an unchanged tree skips tsc.
const root = join(__dirname, "..", "..");
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };

describe("the npm scripts", () => {
  it("build before running only when stale, never unconditionally", () => {
    const { scripts } = packageJson;
    expect(scripts.prestart).toBe("node scripts/build.mjs --if-stale");
    // The heap cap is the memory budget (docs/operations.md, "Memory"); no build in the start itself.
    expect(scripts.start).toBe("node --max-old-space-size=192 dist/main.js");
    for (const name of ["token", "db:migrate", "schema:emit"]) expect(scripts[name], name).toMatch(/^node scripts\/build\.mjs --if-stale && node dist\//);
    expect(Object.values(scripts).join("\n")).not.toMatch(/npm run build/);
  });
});

// Each build starts tsc (seconds on a busy 2-core machine): the tests allow minutes, not 30 s.
describe("scripts/build.mjs --if-stale, on a small tree of its own", { timeout: 180_000 }, () => {
  let tree: string;
  const build = () => spawnSync(process.execPath, [join(tree, "scripts", "build.mjs"), "--if-stale"], { cwd: tree, encoding: "utf8" });
  const output = () => join(tree, "dist", "greeting.js");

  beforeAll(() => {
    tree = mkdtempSync(join(tmpdir(), "crm-build-"));
    mkdirSync(join(tree, "scripts"));
    mkdirSync(join(tree, "src"));
    mkdirSync(join(tree, "prisma"));
    copyFileSync(join(root, "scripts", "build.mjs"), join(tree, "scripts", "build.mjs"));
    // The Prisma client generator is the project's; here a stand-in that records it ran.
    writeFileSync(join(tree, "scripts", "prisma-generate.mjs"), 'import { appendFileSync } from "node:fs";\nappendFileSync("generated.log", "x");\n');
    writeFileSync(join(tree, "prisma", "schema.prisma"), "// schema\n");
    writeFileSync(join(tree, "package-lock.json"), "{}\n");
    writeFileSync(join(tree, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", strict: true, types: [] } }));
    writeFileSync(join(tree, "tsconfig.build.json"), JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { rootDir: "src", outDir: "dist" }, include: ["src"] }));
    writeFileSync(join(tree, "src", "greeting.ts"), 'export const greeting: string = "hello";\n');
    symlinkSync(join(root, "node_modules"), join(tree, "node_modules"), "dir");
  });
  afterAll(() => rmSync(tree, { recursive: true, force: true }));

  it("builds a tree never built, then leaves an unchanged one alone, then rebuilds an edited one", () => {
    const first = build();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/building first/);
    expect(readFileSync(output(), "utf8")).toContain('"hello"');
    expect(readFileSync(join(tree, "generated.log"), "utf8")).toBe("x");
    const builtAt = statSync(output()).mtimeMs;

    const second = build();
    expect(second.status).toBe(0);
    expect(second.stderr).toBe("");
    expect(statSync(output()).mtimeMs).toBe(builtAt);

    writeFileSync(join(tree, "src", "greeting.ts"), 'export const greeting: string = "hello again";\n');
    const third = build();
    expect(third.status).toBe(0);
    expect(third.stderr).toMatch(/building first/);
    expect(readFileSync(output(), "utf8")).toContain('"hello again"');

    writeFileSync(join(tree, "prisma", "schema.prisma"), "// schema, changed\n");
    expect(build().status).toBe(0);
    expect(readFileSync(join(tree, "generated.log"), "utf8")).toBe("xxx"); // each build regenerates the client (first, edited source, edited schema)
  });

  it("fails, with tsc's message and no stamp, when the code does not compile; the next run tries again", () => {
    writeFileSync(join(tree, "src", "greeting.ts"), "export const greeting: string = 42;\n");
    const broken = build();
    expect(broken.status).not.toBe(0);
    expect(broken.stdout + broken.stderr).toMatch(/TS2322/);
    expect(build().status).not.toBe(0);
    writeFileSync(join(tree, "src", "greeting.ts"), 'export const greeting: string = "fixed";\n');
    expect(build().status).toBe(0);
    expect(readFileSync(output(), "utf8")).toContain('"fixed"');
  });
});
