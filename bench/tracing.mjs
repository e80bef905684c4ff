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
import { startProfiling } from "./lib/profile.mjs";
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
// A CPU profile per setting of the first scenario: the share of the service's busy time spent in
// tracing code, a proportion that a busy neighbour disturbs far less than req/s.
const profiling = env.BENCH_PROFILE !== "0";
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
    // In the order given (an object would put the numeric settings first).
    for (const setting of settings) {
      const figures = bySetting[setting];
      const rps = median(figures.map((f) => f.requestsPerSecond));
      const cpu = median(figures.map((f) => f.serverCpuMsPerRequest));
      const label = setting === "off" ? "off" : `${setting} % sampled`;
      md.push(
        `| ${scenario} | ${label} | ${rps} | ${setting === "off" ? "" : change(rps, base.rps)} | ${cpu} | ${setting === "off" ? "" : change(cpu, base.cpu)} | ` +
          `${median(figures.map((f) => f.p99Ms))} | ${figures.reduce((n, f) => n + f.errors, 0)} |`,
      );
    }
  }
  if (profiling) {
    md.push("", `CPU profile of each setting (${scenarios[0]}, ${seconds} s): share of the service's busy time in tracing code ` +
      "(@opentelemetry/*, protobufjs, the service's tracing files, AsyncLocalStorage's hooks).", "", "| tracing | busy CPU ms/req | in tracing code |", "| --- | --- | --- |");
    let inspectPort = 9360;
    for (const setting of settings) {
      const port = inspectPort++;
      const target = await startTarget("service", { port: 4990, statsPort: 4991, env: { ...tracingEnv(setting, receiver.endpoint), DATABASE_POOL_MAX: "5" }, nodeArgs: [`--inspect=127.0.0.1:${port}`] });
      try {
        await load(target, scenarios[0], token, { seconds: warmup || 2, connections });
        const profiler = await startProfiling(port);
        const figures = await load(target, scenarios[0], token, { seconds, connections });
        const share = tracingShare(await profiler.stop(), figures.requests);
        md.push(`| ${setting === "off" ? "off" : `${setting} % sampled`} | ${share.busyMsPerRequest} | ${share.percent} % (${share.msPerRequest} ms/req) |`);
      } finally {
        await target.stop();
      }
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

/** Self time of tracing frames over all busy time. */
function tracingShare(profile, requests) {
  const tracing = /node_modules\/(@opentelemetry\/|protobufjs\/)|\/dist\/infrastructure\/tracing\/|\/dist\/graphql\/(tracing-plugin|request-span)|^node:(internal\/)?async_hooks|async_local_storage|async_context_frame/;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  let busy = 0;
  let inTracing = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = byId.get(profile.samples[i]);
    if (frame.functionName === "(idle)") continue;
    const micros = profile.timeDeltas[i] ?? 0;
    busy += micros;
    if (tracing.test(frame.url ?? "")) inTracing += micros;
  }
  const round = (x) => Math.round(x * 100) / 100;
  return { busyMsPerRequest: round(busy / 1000 / requests), msPerRequest: round(inTracing / 1000 / requests), percent: round((inTracing / busy) * 100) };
}
