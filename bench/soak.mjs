// npm run soak: a steady mixed load (90% reads, 10% writes) for SOAK_SECONDS
// (120) at SOAK_RATE requests/s (50) against the built service with Redis.
// Checks: zero unexpected errors (HTTP or GraphQL), memory flat (RSS sampled
// every 5 s, first half vs second half), outbox backlog drains to zero.
import { join } from "node:path";
import { JWT_SECRET, TENANTS, ownerId, require } from "./lib/bench-env.mjs";
import { bodyFor } from "./lib/scenarios.mjs";
import { startTarget } from "./lib/targets.mjs";

const seconds = Number(process.env.SOAK_SECONDS ?? 120);
const rate = Number(process.env.SOAK_RATE ?? 50);
const { mintToken } = require(join(import.meta.dirname, "..", "dist", "infrastructure", "auth", "dev-token.js"));
const token = await mintToken({ secret: JWT_SECRET, tenantId: TENANTS.A, userId: ownerId(1), roles: ["admin"], expiresIn: "2h" });
const service = await startTarget("service", { port: 4960, statsPort: 4961, env: { REDIS_URL: process.env.SOAK_REDIS_URL ?? "redis://127.0.0.1:6379" } });
const metrics = async () => (await fetch("http://127.0.0.1:4960/metrics")).text();
const backlog = async () => Number(/crm_outbox_backlog_events (\d+)/.exec(await metrics())?.[1] ?? NaN);

let sent = 0;
let errors = 0;
const samples = [];
const sampler = setInterval(() => samples.push(service.rssMb()), 5000);
const started = performance.now();
const inFlight = [];
for (let i = 0; performance.now() - started < seconds * 1000; i++) {
  const due = started + (i * 1000) / rate;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  sent += 1;
  inFlight.push(
    fetch(service.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(bodyFor("service", "mixed", i)),
    })
      .then(async (response) => {
        const body = await response.json();
        if (!response.ok || body.errors) errors += 1;
      })
      .catch(() => (errors += 1)),
  );
}
await Promise.all(inFlight);
clearInterval(sampler);
let remaining = await backlog();
for (let wait = 0; wait < 60 && remaining > 0; wait++) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  remaining = await backlog();
}
await service.stop();

const half = Math.floor(samples.length / 2);
const mean = (values) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const [early, late] = [mean(samples.slice(0, half)), mean(samples.slice(half))];
const result = { seconds, rate, sent, errors, rssMbEarly: Math.round(early), rssMbLate: Math.round(late), growthPercent: Math.round(((late - early) / early) * 100), backlogAfter: remaining };
console.log(JSON.stringify(result));
process.exit(errors === 0 && remaining === 0 && result.growthPercent < 15 ? 0 : 1);
