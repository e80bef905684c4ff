import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { printCrmSubgraphSdl } from "./schema";

// `npm run schema:emit`: rewrites schema.graphql from the TypeGraphQL classes.
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
