// Starts each benchmarked server as a child process of its own, with the
// statement counter preloaded, and makes sure none outlives the benchmark.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { JWT_SECRET, REDIS_URL, ROOT, RUNTIME_URL } from "./bench-env.mjs";
import { memoryMb } from "./proc.mjs";

const counter = join(import.meta.dirname, "count-statements.cjs");
const COMMANDS = {
  service: [join(ROOT, "dist", "main.js")],
  postgraphile: [join(import.meta.dirname, "postgraphile-server.mjs")],
  raw: [join(import.meta.dirname, "raw-sql-server.mjs")],
};

/**
 * The service starts as the Dockerfile and `npm start` start it in production
 * (docs/operations.md, "Memory"): V8's old generation capped at 192 MB and two
 * malloc arenas. BENCH_SERVICE_START=plain measures a bare `node dist/main.js`.
 * The peers run with Node's defaults.
 */
const productionStart = () =>
  process.env.BENCH_SERVICE_START === "plain" ? { nodeArgs: [], env: {} } : { nodeArgs: ["--max-old-space-size=192"], env: { MALLOC_ARENA_MAX: "2" } };

/** Every child still running: killed when the benchmark ends, however it ends. */
const children = new Set();
export function killChildren() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}
process.once("exit", killChildren);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    killChildren();
    process.exit(130);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Spawns a target and waits until it serves: the service's /ready answers 200,
 * PostGraphile and the raw server print "ready" once they listen.
 * `startMs` is spawn -> ready.
 */
export async function startTarget(name, { port, statsPort, env = {}, nodeArgs = [] }) {
  const started = performance.now();
  const start = name === "service" ? productionStart() : { nodeArgs: [], env: {} };
  const child = spawn(process.execPath, [...start.nodeArgs, ...nodeArgs, "--require", counter, ...COMMANDS[name]], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      GRAPHILE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      STATS_PORT: String(statsPort),
      DATABASE_URL: RUNTIME_URL,
      DATABASE_POOL_MAX: "10",
      JWT_SECRET,
      ...start.env,
      // The benchmark measures throughput, not the per-tenant budget (all its requests are one tenant's).
      RATE_LIMIT_TENANT_RPS: "1000000",
      RATE_LIMIT_TENANT_BURST: "1000000",
      // Issue 17: the query cache, on unless BENCH_SUMMARY_CACHE=0; in Redis with BENCH_SERVICE_REDIS=1, else in process.
      CACHE_ENABLED: process.env.BENCH_SUMMARY_CACHE === "0" ? "false" : "true",
      ...(process.env.BENCH_SERVICE_REDIS === "1" ? { REDIS_URL, CACHE_KEY_PREFIX: `bench:cache:${process.pid}:` } : {}),
      ...(process.env.WS_COALESCE_MS ? { WS_COALESCE_MS: process.env.WS_COALESCE_MS } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The child's errors go on to ours; the inspector's chatter does not.
  child.stderr.on("data", (chunk) => {
    const text = String(chunk).split("\n").filter((l) => l && !/^(Debugger (listening|attached|ending)|For help, see)/.test(l)).join("\n");
    if (text) process.stderr.write(`[${name}] ${text}\n`);
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let printedReady = false;
  const errorLogs = [];
  child.stdout.on("data", (chunk) => {
    const text = String(chunk);
    if (/\bready\b/.test(text)) printedReady = true;
    // The service logs JSON (pino): keep the first few errors to explain failed requests.
    for (const line of text.split("\n")) if (errorLogs.length < 5 && /"level":(50|60)/.test(line)) errorLogs.push(line.slice(0, 600));
  });
  const readyUrl = `http://127.0.0.1:${port}/ready`;
  const deadline = performance.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was ready`);
    if (performance.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} not ready within 60 s`);
    }
    const ready = name === "service" ? await fetch(readyUrl).then((r) => r.ok, () => false) : printedReady;
    if (ready) break;
    await sleep(10);
  }
  const startMs = performance.now() - started;
  return {
    name,
    pid: child.pid,
    url: `http://127.0.0.1:${port}${name === "raw" ? "/" : "/graphql"}`,
    startMs,
    /** The statement counters; retried, as a loaded machine sometimes resets the connection. */
    stats: async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await (await fetch(`http://127.0.0.1:${statsPort}/`)).json();
        } catch (error) {
          if (attempt >= 3 || child.exitCode !== null) throw error;
          await sleep(250);
        }
      }
    },
    memoryMb: () => memoryMb(child.pid),
    errorLogs,
    /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}
