// npm run bench: the CRM subgraph against PostGraphile V5 and the raw-SQL
// limit, side by side on the same seeded database, same RLS, same JWT.
// Prints one table per scenario and writes bench/results/latest.json.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { JWT_SECRET, TENANTS, ownerId, require } from "./lib/bench-env.mjs";
import { checkOnce, load } from "./lib/load.mjs";
import { startTarget } from "./lib/targets.mjs";
import { measureEventLatency } from "./lib/event-latency.mjs";

const root = join(import.meta.dirname, "..");
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const scenarios = (process.env.BENCH_SCENARIOS ?? "list,detail,entities,capture,mixed").split(",");
const targets = (process.env.BENCH_TARGETS ?? "service,postgraphile,raw").split(",").filter(Boolean);

if (!existsSync(join(root, "dist", "main.js"))) {
  console.error("npm run bench needs the build: run `npm run build` first");
  process.exit(1);
}
const { mintToken } = require(join(root, "dist", "infrastructure", "auth", "dev-token.js"));
const token = await mintToken({ secret: JWT_SECRET, tenantId: TENANTS.A, userId: ownerId(1), roles: ["admin"], expiresIn: "2h" });

const results = { machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`, seconds, connections, scenarios: {}, startToReadyMs: null, peakRssMb: null, events: null };
let port = 4900;
for (const name of targets) {
  const target = await startTarget(name, { port: port++, statsPort: port++ });
  if (name === "service") results.startToReadyMs = Math.round(target.startMs);
  try {
    for (const scenario of scenarios) {
      await checkOnce(target, scenario, token);
      await load(target, scenario, token, { seconds: Math.min(2, seconds), connections }); // warm up
      const figures = await load(target, scenario, token, { seconds, connections });
      (results.scenarios[scenario] ??= {})[name] = figures;
      console.log(`${scenario.padEnd(8)} ${name.padEnd(12)} ${String(figures.requestsPerSecond).padStart(6)} req/s  p50 ${figures.p50Ms} ms  p99 ${figures.p99Ms} ms  ${figures.statementsPerRequest} SQL/req  errors ${figures.errors}`);
    }
    if (name === "service") results.peakRssMb = Math.round(target.peakRssMb());
  } finally {
    await target.stop();
  }
}

if (process.env.BENCH_EVENTS !== "0") results.events = await measureEventLatency({ token });

const ratio = (a, b) => (a && b ? Math.round((a / b) * 100) / 100 : null);
const lines = [`Machine: ${results.machine}; ${seconds} s per run at ${connections} connections.`, ""];
for (const [scenario, byTarget] of Object.entries(results.scenarios)) {
  lines.push(`### ${scenario}`, "", "| target | req/s | p50 ms | p99 ms | SQL/request | errors |", "| --- | --- | --- | --- | --- | --- |");
  for (const [name, f] of Object.entries(byTarget)) lines.push(`| ${name} | ${f.requestsPerSecond} | ${f.p50Ms} | ${f.p99Ms} | ${f.statementsPerRequest} | ${f.errors} |`);
  const s = byTarget.service?.requestsPerSecond;
  lines.push("", `service/PostGraphile: ${ratio(s, byTarget.postgraphile?.requestsPerSecond) ?? "n/a"}x; service/raw SQL: ${ratio(s, byTarget.raw?.requestsPerSecond) ?? "n/a"}x`, "");
}
lines.push(`Service start to ready: ${results.startToReadyMs} ms; peak RSS through the run: ${results.peakRssMb} MB.`);
if (results.events) {
  const e = results.events;
  lines.push(`Event delivery (${e.subscribers} subscribers on 2 instances, ${e.mutationsPerSecond} mutations/s for ${e.seconds} s): p50 ${e.p50Ms} ms, p99 ${e.p99Ms} ms, ${e.delivered} delivered, ${e.lost} lost, ${e.failedMutations} mutations failed.`);
}
console.log(`\n${lines.join("\n")}`);
mkdirSync(join(import.meta.dirname, "results"), { recursive: true });
writeFileSync(join(import.meta.dirname, "results", "latest.json"), JSON.stringify(results, null, 2));
writeFileSync(join(import.meta.dirname, "results", "latest.md"), `${lines.join("\n")}\n`);
