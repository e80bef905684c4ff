import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderApiReference } from "./render-api-reference";

/**
 * Writes the API reference pages into `dir` and removes any other Markdown file there, so a
 * page that is no longer generated does not linger. Returns the names written.
 */
export function writeApiReference(dir: string, sdl: string): string[] {
  const pages = renderApiReference(sdl);
  mkdirSync(dir, { recursive: true });
  for (const stale of readdirSync(dir).filter((name) => name.endsWith(".md") && !pages.has(name))) rmSync(join(dir, stale));
  for (const [name, text] of pages) writeFileSync(join(dir, name), text);
  return [...pages.keys()];
}
