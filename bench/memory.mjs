// node bench/memory.mjs: where the service's memory goes, at idle and under
// load, in the production start (NODE_ENV=production node dist/main.js), for
// each start variant (V8 flags, malloc arenas). Needs `npm run build` and
// `npm run bench:seed`. Prints one table per variant and writes
// bench/results/memory.json. Settings: BENCH_MEMORY_VARIANTS (names below,
// comma-separated), BENCH_MEMORY_SECONDS (load per scenario, 5),
// BENCH_MEMORY_SCENARIOS (list,detail,entities,capture,mixed), BENCH_CONNECTIONS (16).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JWT_SECRET, TENANTS, fromDist, ownerId, require } from "./lib/bench-env.mjs";
import { checkOnce, load } from "./lib/load.mjs";
import { freePort } from "./lib/ports.mjs";
import { startTarget } from "./lib/targets.mjs";

const probe = join(import.meta.dirname, "lib", "memory-probe.cjs");
/** Start variants: node flags and environment, as an operator would set them. */
const VARIANTS = {
  baseline: { nodeArgs: [], env: {} },
  "arena-2": { nodeArgs: [], env: { MALLOC_ARENA_MAX: "2" } },
  "semi-8": { nodeArgs: ["--max-semi-space-size=8"], env: {} },
  "arena-2+semi-8": { nodeArgs: ["--max-semi-space-size=8"], env: { MALLOC_ARENA_MAX: "2" } },
  "arena-2+semi-4": { nodeArgs: ["--max-semi-space-size=4"], env: { MALLOC_ARENA_MAX: "2" } },
  // What the Dockerfile and `npm start` set (docs/operations.md, "Memory").
  production: { nodeArgs: ["--max-old-space-size=192"], env: { MALLOC_ARENA_MAX: "2" } },
  "old-128": { nodeArgs: ["--max-old-space-size=128"], env: {} },
  "old-192": { nodeArgs: ["--max-old-space-size=192"], env: {} },
  "optimize-for-size": { nodeArgs: ["--optimize-for-size"], env: {} },
  "arena-2+old-128+semi-8": { nodeArgs: ["--max-old-space-size=128", "--max-semi-space-size=8"], env: { MALLOC_ARENA_MAX: "2" } },
};
const env = process.env;
// Each variant says its own flags: the service starts bare, then with them.
env.BENCH_SERVICE_START = "plain";
const names = (env.BENCH_MEMORY_VARIANTS ?? "baseline,production").split(",").map((s) => s.trim()).filter(Boolean);
const seconds = Number(env.BENCH_MEMORY_SECONDS ?? 5);
const connections = Number(env.BENCH_CONNECTIONS ?? 16);
const scenarios = (env.BENCH_MEMORY_SCENARIOS ?? "list,detail,entities,capture,mixed").split(",");

const { mintToken } = fromDist("infrastructure/auth/dev-token.js");
const token = await mintToken({ secret: JWT_SECRET, tenantId: TENANTS.A, userId: ownerId(1), roles: ["admin"], expiresIn: "2h" });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const results = {};
for (const name of names) {
  const variant = VARIANTS[name];
  if (!variant) throw new Error(`unknown variant ${name}: one of ${Object.keys(VARIANTS).join(", ")}`);
  const memoryPort = await freePort();
  const target = await startTarget("service", {
    port: await freePort(),
    statsPort: await freePort(),
    nodeArgs: ["--expose-gc", "--require", probe, ...variant.nodeArgs],
    env: { MEMORY_PORT: String(memoryPort), ...variant.env },
  });
  const read = async (path = "/") => (await fetch(`http://127.0.0.1:${memoryPort}${path}`)).json();
  try {
    await sleep(3000);
    const idle = await read();
    const idleAfterGc = await read("/gc");
    const underLoad = {};
    for (const scenario of scenarios) {
      await checkOnce(target, scenario, token);
      const figures = await load(target, scenario, token, { seconds, connections });
      underLoad[scenario] = { ...(await read()), requestsPerSecond: figures.requestsPerSecond, cpuMsPerRequest: figures.serverCpuMsPerRequest, errors: figures.errors };
    }
    const end = await read("/gc");
    results[name] = { nodeArgs: variant.nodeArgs, env: variant.env, idle, idleAfterGc, underLoad, afterLoadGc: end, peakRssMb: Math.round(target.memoryMb().peak) };
    const row = (label, m) =>
      `| ${label} | ${m.rssMb} | ${m.smaps.anonymousMb} | ${m.smaps.fileMb} | ${m.heapTotalMb} | ${m.heapUsedMb} | ${m.externalMb} | ${m.arrayBuffersMb} | ${m.v8CodeMb} |`;
    console.log(`\n**${name}** (${[...variant.nodeArgs, ...Object.entries(variant.env).map(([k, v]) => `${k}=${v}`)].join(" ") || "no flags"}): peak RSS ${results[name].peakRssMb} MB`);
    console.log("| moment | RSS MB | anonymous MB | file-backed MB | V8 heap total MB | heap used MB | external MB | arrayBuffers MB | V8 code MB |");
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    console.log(row("idle", idle));
    console.log(row("idle after GC", idleAfterGc));
    for (const [scenario, m] of Object.entries(underLoad)) console.log(row(`after ${scenario} (${m.requestsPerSecond} req/s, ${m.cpuMsPerRequest} ms CPU/req)`, m));
    console.log(row("after load, GC", end));
    console.log(`loaded modules (${idle.moduleFiles} files), by source size: ${idle.modules.slice(0, 12).map(([n, m]) => `${n} ${m.files}f/${m.sourceKb}kB`).join(", ")}`);
  } finally {
    await target.stop();
  }
}
const dir = join(import.meta.dirname, "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "memory.json"), `${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
