// Event delivery latency (issue 3): two service instances sharing Redis,
// N graphql-ws subscribers split over both (held by two child processes),
// a steady rate of logLeadActivity mutations on instance A. Latency is
// subscriber receipt - mutation response, per event and subscriber; lost
// counts (event, subscriber) pairs that never arrived.
import { fork } from "node:child_process";
import { join } from "node:path";
import { REDIS_URL } from "./bench-env.mjs";
import { seededLeadId } from "./dataset.mjs";
import { processCpuMs } from "./proc.mjs";
import { startProfiling, summarize } from "./profile.mjs";
import { startTarget } from "./targets.mjs";

const clock = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const QUERY = "subscription { leadEvents(types: [LEAD_ACTIVITY_LOGGED]) { payload } }";

function ask(child, message, replyType) {
  return new Promise((resolve, reject) => {
    const onMessage = (reply) => {
      if (reply.type !== replyType && reply.type !== "error") return;
      child.off("message", onMessage);
      if (reply.type === "error") reject(new Error(reply.message));
      else resolve(reply);
    };
    child.on("message", onMessage);
    child.send(message);
  });
}

const percentile = (sorted, p) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] * 10) / 10 : null);

// BENCH_EVENT_PORTS (4 comma-separated ports): two checkouts benchmarking at once on one machine do not collide.
const EVENT_PORTS = process.env.BENCH_EVENT_PORTS?.split(",").map(Number);

export async function measureEventLatency({ token, subscribers, rate, profile = false, ports = EVENT_PORTS ?? [4950, 4951, 4952, 4953] }) {
  const seconds = Number(process.env.BENCH_EVENT_SECONDS ?? 10);
  const warmupSeconds = Number(process.env.BENCH_EVENT_WARMUP_SECONDS ?? 3);
  // 500 clients connecting at once to one instance of a loaded machine: connection_init may take longer than the default 3 s.
  // The tenant's subscription cap is kept in the shared Redis: another checkout's event benchmark of the same
  // tenant would take slots from this one (its refused subscribers are closed with 4429 and counted as lost).
  const env = { REDIS_URL, WS_CONNECTION_INIT_TIMEOUT_MS: "30000", RATE_LIMIT_TENANT_SUBSCRIPTIONS: "100000" };
  const instances = [];
  const groups = [];
  try {
    instances.push(await startTarget("service", { port: ports[0], statsPort: ports[1], env, nodeArgs: profile ? ["--inspect=127.0.0.1:9338"] : [] }));
    instances.push(await startTarget("service", { port: ports[2], statsPort: ports[3], env }));
    const [a] = instances;
    // Subscribers split over the two instances, one child process each.
    for (const [k, instance] of instances.entries()) {
      const count = Math.floor(subscribers / 2) + (k === 0 ? subscribers % 2 : 0);
      const child = fork(join(import.meta.dirname, "subscribers.mjs"), [], { serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
      groups.push({ child, count, instance: k ? "B" : "A" });
      await ask(child, { type: "connect", url: instance.url.replace("http", "ws"), count, token, query: QUERY }, "connected");
    }

    let k = 0;
    const mutate = async () => {
      const n = k++;
      const response = await fetch(a.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `mutation($id: ID!, $input: LogActivityInput!) { logLeadActivity(leadId: $id, input: $input) { id } }`,
          variables: { id: seededLeadId(1 + ((n * 7919 + 4999) % 10_000)), input: { type: "NOTE", summary: `event bench ${n}` } },
        }),
      });
      const body = await response.json();
      if (!body.data?.logLeadActivity) throw new Error(JSON.stringify(body.errors ?? body).slice(0, 200));
      return body.data.logLeadActivity.id;
    };

    // A probe event everyone must see: proves every subscription is live before timing starts.
    const probe = await mutate();
    const probeDeadline = performance.now() + 20_000;
    let live = 0;
    while (performance.now() < probeDeadline) {
      const replies = await Promise.all(groups.map((g) => ask(g.child, { type: "received", keys: [probe] }, "received")));
      live = replies.reduce((sum, r) => sum + r.keys[0], 0);
      if (live >= subscribers) break;
      await sleep(100);
    }

    // Mutations at a steady rate on instance A; activityId -> response time.
    const drive = async (total) => {
      const sent = new Map();
      const requested = new Map();
      const responseMs = [];
      let failed = 0;
      let firstFailure = null;
      const pending = [];
      const started = performance.now();
      for (let i = 0; i < total; i++) {
        await sleep(Math.max(0, started + (i * 1000) / rate - performance.now()));
        const t0 = performance.now();
        const requestedAt = clock();
        pending.push(
          mutate().then(
            (id) => {
              sent.set(id, clock());
              requested.set(id, requestedAt);
              responseMs.push(performance.now() - t0);
            },
            (error) => {
              failed += 1;
              firstFailure ??= String(error.message ?? error);
            },
          ),
        );
      }
      const sendSeconds = (performance.now() - started) / 1000;
      await Promise.all(pending);
      return { sent, requested, responseMs, failed, firstFailure, sendSeconds };
    };
    const received = async () => (await Promise.all(groups.map((g) => ask(g.child, { type: "received" }, "received")))).reduce((sum, r) => sum + r.received, 0);
    const drain = async (expected, ms) => {
      const deadline = performance.now() + ms;
      while ((await received()) < expected && performance.now() < deadline) await sleep(200);
    };
    // Warm-up at the same rate (JIT, pools, Redis), its events ignored; then let delivery catch up.
    const warm = await drive(Math.round(rate * warmupSeconds));
    await drain((1 + warm.sent.size) * subscribers, 15_000);
    const profiler = profile ? await startProfiling(9338) : null;
    // CPU of both instances from /proc over the window and its drain: on a shared machine CPU per delivery moves less than latency.
    const cpuBefore = instances.map((instance) => processCpuMs(instance.pid));
    const windowStarted = performance.now();
    const run = await drive(rate * seconds);
    const { sent, requested, responseMs, failed: failedMutations, firstFailure, sendSeconds } = run;
    const total = rate * seconds;
    await drain((1 + warm.sent.size + sent.size) * subscribers, 15_000);
    const windowSeconds = (performance.now() - windowStarted) / 1000;
    const cpuMs = instances.map((instance, k) => processCpuMs(instance.pid) - cpuBefore[k]);
    const cpuProfile = profiler ? summarize(await profiler.stop(), sent.size + failedMutations) : null;
    // Latency from the mutation's response (the measure) and from its request (what a user waits).
    const fromResponse = await Promise.all(groups.map((g) => ask(g.child, { type: "finish", sent: [...sent], count: g.count, ignore: [probe, ...warm.sent.keys()] }, "finished")));
    const fromRequest = await Promise.all(groups.map((g) => ask(g.child, { type: "finish", sent: [...requested], count: g.count, ignore: [probe, ...warm.sent.keys()] }, "finished")));
    const results = fromResponse;
    const allFromRequest = Float64Array.from(fromRequest.flatMap((r) => [...r.latencies])).sort();
    const all = Float64Array.from(results.flatMap((r) => [...r.latencies])).sort();
    const byInstance = Object.fromEntries(
      results.map((r, k) => {
        const sorted = Float64Array.from(r.latencies).sort();
        return [groups[k].instance, { subscribers: groups[k].count, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) }];
      }),
    );
    responseMs.sort((x, y) => x - y);
    return {
      subscribers,
      liveBeforeStart: live,
      mutationsPerSecond: rate,
      achievedMutationsPerSecond: Math.round(((total - 1) / sendSeconds) * 10) / 10,
      seconds,
      warmupSeconds,
      events: sent.size,
      p50Ms: percentile(all, 0.5),
      p99Ms: percentile(all, 0.99),
      maxMs: percentile(all, 1),
      minMs: all.length ? Math.round(all[0] * 10) / 10 : null,
      fromRequest: { p50Ms: percentile(allFromRequest, 0.5), p99Ms: percentile(allFromRequest, 0.99) },
      byInstance,
      delivered: all.length,
      lost: results.reduce((sum, r) => sum + r.lost, 0),
      duplicates: results.reduce((sum, r) => sum + r.duplicates, 0),
      deliveriesPerSecond: Math.round(all.length / windowSeconds),
      // A also serves the mutations and relays the outbox; B only delivers: its figure is the fan-out's own cost.
      cpu: {
        instanceAMs: cpuMs[0],
        instanceBMs: cpuMs[1],
        msPerDeliveryBoth: all.length ? Math.round(((cpuMs[0] + cpuMs[1]) / all.length) * 1000) / 1000 : null,
        msPerDeliveryB: results[1]?.latencies.length ? Math.round((cpuMs[1] / results[1].latencies.length) * 1000) / 1000 : null,
      },
      unmatched: results.reduce((sum, r) => sum + r.unmatched, 0),
      failedMutations,
      firstFailure,
      mutationP50Ms: percentile(responseMs, 0.5),
      mutationP99Ms: percentile(responseMs, 0.99),
      startToReadyWithRedisMs: Math.round(a.startMs),
      instanceAErrors: a.errorLogs.slice(0, 2),
      cpuProfileOfInstanceA: cpuProfile,
      // Memory with half the subscribers each (issue 15: peak RSS through the whole run).
      peakRssMbByInstance: { A: Math.round(instances[0].memoryMb().peak), B: Math.round(instances[1].memoryMb().peak) },
    };
  } finally {
    await Promise.all(
      groups.map(({ child }) => {
        if (child.exitCode !== null) return null;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.send({ type: "close" });
        return Promise.race([exited, sleep(5000).then(() => child.kill("SIGKILL"))]);
      }),
    );
    for (const instance of instances) await instance.stop();
  }
}
