import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { commandLineOptions } from "../infrastructure/command-line";
import { writeApiReference } from "./api-reference/write-api-reference";

const root = join(__dirname, "..", "..");
const USAGE = `usage: npm run docs:api [-- --out <dir>]

Regenerates the API reference (Markdown) from schema.graphql and the error codes
(src/graphql/error-codes.ts) with graphql-markdown; offline, and the same input gives the same bytes.
  --out <dir>   where to write the pages (default: docs/api)`;

const values = commandLineOptions(USAGE, { out: { type: "string", default: join(root, "docs", "api") } });
try {
  const dir = resolve(values.out ?? join(root, "docs", "api"));
  const written = writeApiReference(dir, readFileSync(join(root, "schema.graphql"), "utf8"));
  console.log(`wrote ${written.map((name) => join(dir, name)).join(", ")}`);
} catch (error) {
  console.error(`docs:api failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
