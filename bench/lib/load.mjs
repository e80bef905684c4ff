// One fixed-time, fixed-concurrency load run with autocannon, plus what it
// cost: SQL statements and round trips per request (counted in the server),
// CPU per request of the server's Node process and of PostgreSQL.
import autocannon from "autocannon";
import { bodyFor } from "./scenarios.mjs";
import { DATABASE } from "./bench-env.mjs";
import { backendCpuSince, postgresBackendCpuMs, processCpuMs } from "./proc.mjs";

const post = (target, token, body) =>
  fetch(target.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

/** One request of the scenario must succeed and see tenant A's data, or the comparison is meaningless. */
export async function checkOnce(target, scenario, token) {
  const response = await post(target, token, bodyFor(target.name, scenario, 1));
  const text = await response.text();
  if (!response.ok || /"errors"\s*:/.test(text)) throw new Error(`${target.name}/${scenario} failed: ${text.slice(0, 500)}`);
  if (scenario === "list" && !/"totalCount"\s*:\s*[1-9]/.test(text)) throw new Error(`${target.name}/list saw no leads (tenant not applied?): ${text.slice(0, 200)}`);
  if (scenario === "entities" && !/"status"/.test(text)) throw new Error(`${target.name}/entities found no leads: ${text.slice(0, 200)}`);
}

export async function load(target, scenario, token, { seconds, connections }) {
  let i = 0;
  let failed = 0;
  let firstError = null;
  const before = await target.stats();
  const cpuBefore = { node: processCpuMs(target.pid), pg: postgresBackendCpuMs(DATABASE), bench: process.cpuUsage() };
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: JSON.stringify(bodyFor(target.name, scenario, i++)) }),
        // GraphQL reports errors with HTTP 200: look into the body.
        onResponse: (status, body) => {
          if (status === 200 && !body.includes('"errors":')) return;
          failed += 1;
          firstError ??= `${status} ${String(body).slice(0, 300)}`;
        },
      },
    ],
  });
  const bench = process.cpuUsage(cpuBefore.bench);
  const cpu = { node: processCpuMs(target.pid) - cpuBefore.node, pg: backendCpuSince(cpuBefore.pg, postgresBackendCpuMs(DATABASE)), bench: (bench.user + bench.system) / 1000 };
  const after = await target.stats();
  const completed = result.requests.total || 1;
  const per = (x) => Math.round((x / completed) * 100) / 100;
  const shapes = Object.entries(after.shapes)
    .map(([shape, n]) => [shape, per(n - (before.shapes[shape] ?? 0))])
    .filter(([, n]) => n >= 0.01)
    .sort((a, b) => b[1] - a[1]);
  return {
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    statementsPerRequest: per(after.statements - before.statements),
    roundTripsPerRequest: per(after.roundTrips - before.roundTrips),
    serverCpuMsPerRequest: per(cpu.node),
    postgresCpuMsPerRequest: per(cpu.pg),
    loadGeneratorCpuMsPerRequest: per(cpu.bench),
    errors: result.errors + failed,
    firstError,
    requests: result.requests.total,
    seconds: result.duration,
    statementShapes: Object.fromEntries(shapes.slice(0, 12)),
  };
}
