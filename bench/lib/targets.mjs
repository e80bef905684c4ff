// Starts each benchmarked server as a process of its own, with the statement counter preloaded.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { JWT_SECRET, RUNTIME_URL } from "./bench-env.mjs";

const root = join(import.meta.dirname, "..", "..");
const counter = join(import.meta.dirname, "count-statements.cjs");
const COMMANDS = {
  service: [join(root, "dist", "main.js")],
  postgraphile: [join(import.meta.dirname, "postgraphile-server.mjs")],
  raw: [join(import.meta.dirname, "raw-sql-server.mjs")],
};

export async function startTarget(name, { port, statsPort, env = {} }) {
  const started = performance.now();
  const child = spawn(process.execPath, ["--require", counter, ...COMMANDS[name]], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      GRAPHILE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      STATS_PORT: String(statsPort),
      DATABASE_URL: RUNTIME_URL,
      JWT_SECRET,
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const readyUrl = name === "service" ? `http://127.0.0.1:${port}/ready` : `http://127.0.0.1:${statsPort}/`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const ok = await fetch(readyUrl).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // PostGraphile and the raw server answer the stats port before they listen: wait for the port.
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/graphql`, { method: "POST" }).then(() => true, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    name,
    url: `http://127.0.0.1:${port}${name === "raw" ? "/" : "/graphql"}`,
    startMs: performance.now() - started,
    statements: async () => (await (await fetch(`http://127.0.0.1:${statsPort}/`)).json()).statements,
    /** Peak resident memory so far (VmHWM), in MB. */
    peakRssMb: () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) / 1024,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) / 1024,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", resolve), child.kill("SIGTERM")))),
  };
}
