import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { commandLineOptions } from "../infrastructure/command-line";
import { printCrmSubgraphSdl } from "./schema";

const USAGE = `usage: npm run schema:emit

Rewrites schema.graphql from the TypeGraphQL classes: the SDL this subgraph serves (_service { sdl }).`;

commandLineOptions(USAGE, {});
printCrmSubgraphSdl()
  .then((sdl) => {
    const target = join(__dirname, "..", "..", "schema.graphql");
    writeFileSync(target, sdl);
    console.log(`wrote ${target}`);
  })
  .catch((error: unknown) => {
    console.error(`schema:emit failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
