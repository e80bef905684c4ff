#!/usr/bin/env node
// Compiles src/ to dist/ and stamps dist/ with a fingerprint of what it was built from.
//   node scripts/build.mjs              `npm run build` (npm's prebuild has generated the Prisma client)
//   node scripts/build.mjs --if-stale   before `npm start`, `npm run token`, `npm run db:migrate`, `npm run schema:emit`:
//                                       builds (client and code) only when the sources differ from the stamp,
//                                       so an unchanged tree starts at once and an edited one is rebuilt.
// Content, not mtimes: a checkout, a copy or a clock change cannot fool it.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const stampFile = join(root, "dist", ".source-fingerprint");
const lockDir = join(root, ".build-lock");
// Everything the compiled output depends on; the generated Prisma client follows schema.prisma.
const inputs = ["src", "prisma/schema.prisma", "tsconfig.json", "tsconfig.build.json", "package-lock.json"];
const generated = join(root, "src", "infrastructure", "prisma", "generated");

function* filesUnder(path) {
  if (path === generated || !existsSync(path)) return;
  const entries = readdirSync(path, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) yield* filesUnder(child);
    else if (entry.isFile()) yield child;
  }
}

function fingerprint() {
  const hash = createHash("sha256");
  for (const input of inputs) {
    const path = join(root, input);
    const files = existsSync(path) && statSync(path).isDirectory() ? [...filesUnder(path)] : [path];
    for (const file of files) {
      hash.update(relative(root, file)).update("\0");
      hash.update(existsSync(file) ? readFileSync(file) : "(missing)").update("\0");
    }
  }
  return hash.digest("hex");
}

function run(args, what) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`build: ${what} failed`);
    process.exit(result.status ?? 1);
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/** One build at a time in this tree (two test files or two terminals may ask at once). */
async function withLock(work) {
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "pid"), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      const owner = Number(readFileSafe(join(lockDir, "pid")));
      if (owner && !alive(owner)) rmSync(lockDir, { recursive: true, force: true });
      else await new Promise((done) => setTimeout(done, 200));
    }
  }
  try {
    return work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function readFileSafe(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

const built = () => readFileSafe(stampFile).trim();

function compile() {
  const sources = fingerprint(); // taken first: an edit made during the build makes the next start rebuild
  rmSync(stampFile, { force: true });
  run([join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], "tsc");
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, `${sources}\n`);
}

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log("usage: node scripts/build.mjs [--if-stale]");
  process.exit(0);
}
const unknown = args.filter((arg) => arg !== "--if-stale");
if (unknown.length) {
  console.error(`build: unknown option ${unknown[0]}\nusage: node scripts/build.mjs [--if-stale]`);
  process.exit(2);
}

if (!args.includes("--if-stale")) {
  await withLock(compile);
} else if (built() !== fingerprint()) {
  await withLock(() => {
    if (built() === fingerprint()) return; // another process built it while we waited
    console.error("build: sources changed since the last build (or never built): building first");
    run([join(root, "scripts", "prisma-generate.mjs")], "prisma generate");
    compile();
  });
}
