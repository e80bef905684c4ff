// npm run bench:tracing: what tracing costs. One service per BENCH_TRACING
// setting (default `off,10,100`: off, 10 % and 100 % of requests sampled),
// all started at once, exporting to a receiver here that discards; then
// rounds that load each in turn, interleaved (off, 10, 100, off, 10, 100, ...),
// so a neighbour's load on the shared machine falls on every setting alike.
// Reports per setting the median req/s and the median Node CPU per request
// (the steadier figure on a loaded machine) and their change against off.
// Needs `npm run build` and `npm run bench:seed`. Settings: see bench/README.md.
import { JWT_SECRET, TENANTS, ownerId, fromDist, databaseUrl, require } from "./lib/bench-env.mjs";
import { checkOnce, load } from "./lib/load.mjs";
import { killChildren, startTarget } from "./lib/targets.mjs";
import { startDiscardingReceiver, tracingEnv } from "./lib/tracing.mjs";

const env = process.env;
const list = (value, fallback) => (value ?? fallback).split(",").map((s) => s.trim()).filter(Boolean);
const settings = list(env.BENCH_TRACING, "off,10,100");
const scenarios = list(env.BENCH_SCENARIOS, "list,detail");
const rounds = Number(env.BENCH_ROUNDS ?? 3);
const seconds = Number(env.BENCH_SECONDS ?? 8);
const warmup = Number(env.BENCH_WARMUP_SECONDS ?? 3);
const connections = Number(env.BENCH_CONNECTIONS ?? 16);
const deadlineSeconds = Number(env.BENCH_DEADLINE_SECONDS ?? 570);
if (!settings.includes("off")) settings.unshift("off"); // the baseline every figure is compared with

setTimeout(() => {
  console.error(`npm run bench:tracing: still running after ${deadlineSeconds} s: stopping (BENCH_DEADLINE_SECONDS)`);
  killChildren();
  process.exit(1);
}, deadlineSeconds * 1000).unref();

const { mintToken } = fromDist("infrastructure/auth/dev-token.js");
const token = await mintToken({ secret: JWT_SECRET, tenantId: TENANTS.A, userId: ownerId(1), roles: ["admin"], expiresIn: "2h" });
const { Client } = require("pg");
const db = new Client({ connectionString: databaseUrl() });
await db.connect();
const tidy = async () => {
  await db.query("DELETE FROM lead WHERE email LIKE '%@capture.example' OR email LIKE '%@bulk.example'");
  await db.query("DELETE FROM outbox");
};

const receiver = await startDiscardingReceiver();
const targets = {};
let port = 4960;
try {
  for (const setting of settings) {
    targets[setting] = await startTarget("service", { port: port++, statsPort: port++, env: { ...tracingEnv(setting, receiver.endpoint), DATABASE_POOL_MAX: "5" } });
  }
  const samples = {}; // scenario -> setting -> figures[]
  for (const scenario of scenarios) {
    for (const setting of settings) {
      await checkOnce(targets[setting], scenario, token);
      if (warmup > 0) await load(targets[setting], scenario, token, { seconds: warmup, connections });
    }
    for (let round = 0; round < rounds; round++) {
      for (const setting of settings) {
        const figures = await load(targets[setting], scenario, token, { seconds, connections });
        ((samples[scenario] ??= {})[setting] ??= []).push(figures);
        console.log(`${scenario.padEnd(8)} round ${round + 1} tracing ${setting.padEnd(4)} ${String(figures.requestsPerSecond).padStart(5)} req/s  cpu ${figures.serverCpuMsPerRequest} ms/req  p99 ${figures.p99Ms} ms  errors ${figures.errors}`);
        if (scenario === "capture") await tidy();
      }
    }
  }

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : Math.round(((sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2) * 100) / 100;
  };
  const change = (value, base) => `${value >= base ? "+" : ""}${Math.round(((value - base) / base) * 1000) / 10} %`;
  const md = [
    `Run of ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC: ${rounds} interleaved rounds of ${seconds} s at ${connections} connections per setting and scenario, ` +
      `medians; spans exported to a local receiver that discards (${receiver.received.requests} exports, ${Math.round(receiver.received.bytes / 1024)} KiB).`,
    "",
    "| scenario | tracing | req/s | change | Node CPU ms/req | change | p99 ms | errors |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const [scenario, bySetting] of Object.entries(samples)) {
    const base = { rps: median(bySetting.off.map((f) => f.requestsPerSecond)), cpu: median(bySetting.off.map((f) => f.serverCpuMsPerRequest)) };
    for (const [setting, figures] of Object.entries(bySetting)) {
      const rps = median(figures.map((f) => f.requestsPerSecond));
      const cpu = median(figures.map((f) => f.serverCpuMsPerRequest));
      const label = setting === "off" ? "off" : `${setting} % sampled`;
      md.push(
        `| ${scenario} | ${label} | ${rps} | ${setting === "off" ? "" : change(rps, base.rps)} | ${cpu} | ${setting === "off" ? "" : change(cpu, base.cpu)} | ` +
          `${median(figures.map((f) => f.p99Ms))} | ${figures.reduce((n, f) => n + f.errors, 0)} |`,
      );
    }
  }
  console.log(`\n${md.join("\n")}`);
} finally {
  for (const target of Object.values(targets)) await target.stop();
  await receiver.stop();
  await tidy().catch(() => {});
  await db.end();
}
process.exit(0);
