// node --expose-gc bench/memory-parts.cjs: what the service's big parts cost
// in RSS when loaded one after another into an empty Node process (each line
// after a full GC): the GraphQL stack, the Prisma client module, then Prisma
// clients one by one (each after its first query and a transaction). DATABASE_URL:
// the bench database as the runtime role. Needs `npm run build`.
const fs = require("node:fs");
const path = require("node:path");

function sample() {
  global.gc();
  const status = fs.readFileSync("/proc/self/status", "utf8");
  const u = process.memoryUsage();
  return { rss: Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024), heap: Math.round(u.heapTotal / 2 ** 20), external: Math.round(u.external / 2 ** 20) };
}
let last = sample();
function step(label) {
  const now = sample();
  console.log(`| ${label} | ${now.rss} | +${now.rss - last.rss} | ${now.heap} | ${now.external} |`);
  last = now;
}

(async () => {
  if (typeof global.gc !== "function") throw new Error("run with node --expose-gc");
  console.log("| step | RSS MB | added MB | V8 heap MB | external MB |\n| --- | --- | --- | --- | --- |");
  step("empty Node process");
  require("graphql");
  require("@apollo/server");
  require("@apollo/subgraph");
  require("type-graphql");
  step("graphql, @apollo/server, @apollo/subgraph, type-graphql loaded");
  const pg = require("pg");
  const { createPrismaClient } = require(path.join(__dirname, "..", "dist", "infrastructure", "prisma", "prisma-client.js"));
  step("pg and the generated Prisma client module loaded");
  for (let k = 1; k <= 3; k++) {
    const client = createPrismaClient(new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 }));
    await client.$queryRaw`SELECT 1`;
    await client.$transaction(async (tx) => tx.$executeRaw`SELECT 2`);
    step(`Prisma client ${k}, after a query and a transaction`);
  }
  process.exit(0);
})();
