#!/usr/bin/env node
// Enforces the architecture's dependency rule: each layer imports only what
// it may. Run in CI (`npm run lint:layers`); prints each violation and exits 1.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const src = join(root, "src");

// layer (path prefix under src/) -> what it may import (path prefixes under src/, or "packages")
const rules = [
  { layer: "domain/", may: ["domain/"], packages: false },
  { layer: "application/queries/", may: ["domain/", "application/", "infrastructure/prisma/", "infrastructure/read-store/"], packages: false },
  { layer: "application/", may: ["domain/", "application/"], packages: false },
  { layer: "infrastructure/", may: ["domain/", "application/", "infrastructure/"], packages: true },
  { layer: "graphql/", may: ["domain/", "application/", "infrastructure/", "graphql/"], packages: true },
];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === "generated") continue;
    if (statSync(path).isDirectory()) yield* files(path);
    else if (path.endsWith(".ts")) yield path;
  }
}

const violations = [];
for (const file of files(src)) {
  const from = relative(src, file);
  const rule = rules.find((r) => from.startsWith(r.layer));
  if (!rule) continue;
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/gms)) {
    const target = match[1];
    if (target.startsWith(".")) {
      const to = relative(src, resolve(dirname(file), target));
      if (!rule.may.some((prefix) => to.startsWith(prefix))) violations.push(`${from} imports ${to}`);
    } else if (!rule.packages && !target.startsWith("node:")) {
      violations.push(`${from} imports the package ${target}`);
    } else if (rule.layer === "domain/" && target.startsWith("node:")) {
      violations.push(`${from} imports ${target}: the domain is plain TypeScript`);
    }
  }
}

if (violations.length) {
  console.error(violations.map((v) => `layer rule broken: ${v}`).join("\n"));
  process.exit(1);
}
console.log("layers: every import respects the dependency rule");
