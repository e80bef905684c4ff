// One fixed-time, fixed-concurrency load run with autocannon.
import autocannon from "autocannon";
import { bodyFor } from "./scenarios.mjs";

export async function checkOnce(target, scenario, token) {
  const response = await fetch(target.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(bodyFor(target.name, scenario, 1)),
  });
  const body = await response.json();
  if (!response.ok || body.errors || body.error) throw new Error(`${target.name}/${scenario} failed: ${JSON.stringify(body).slice(0, 400)}`);
  // An empty answer would mean the tenant was not applied: the comparison would be meaningless.
  if (scenario === "list" && !/"(totalCount)":\s*[1-9]/.test(JSON.stringify(body))) throw new Error(`${target.name}/list saw no leads: ${JSON.stringify(body).slice(0, 200)}`);
}

export async function load(target, scenario, token, { seconds, connections }) {
  let i = 0;
  const before = await target.statements();
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(bodyFor(target.name, scenario, i++)) }) }],
  });
  const after = await target.statements();
  const completed = result.requests.total || 1;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    statementsPerRequest: Math.round(((after - before) / completed) * 100) / 100,
    errors: result.errors + result.non2xx,
    requests: result.requests.total,
  };
}
