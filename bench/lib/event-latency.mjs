// Event delivery latency: mutation response -> subscriber receipt, with many
// graphql-ws subscribers spread over two instances sharing Redis.
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { seededLeadId } from "./scenarios.mjs";
import { startTarget } from "./targets.mjs";

export async function measureEventLatency({ token }) {
  const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
  const rate = Number(process.env.BENCH_EVENT_RATE ?? 100);
  const seconds = Number(process.env.BENCH_EVENT_SECONDS ?? 10);
  const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
  const env = { REDIS_URL: redisUrl };
  const a = await startTarget("service", { port: 4950, statsPort: 4951, env });
  const b = await startTarget("service", { port: 4952, statsPort: 4953, env });
  const sent = new Map(); // `${leadId}:${version}` -> response time
  const latencies = [];
  let delivered = 0;
  let failedMutations = 0;
  const clients = [];
  try {
    await Promise.all(
      Array.from({ length: subscribers }, (_, k) => {
        const url = (k % 2 ? b : a).url.replace("http", "ws");
        const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: false, retryAttempts: 0, onNonLazyError: () => {} });
        clients.push(client);
        return new Promise((resolve) => {
          client.on("connected", resolve);
          client.subscribe(
            { query: "subscription { leadEvents(types: [LEAD_TAGS_CHANGED]) { leadId version } }" },
            {
              next: ({ data }) => {
                const at = performance.now();
                const key = `${data.leadEvents.leadId}:${data.leadEvents.version}`;
                const sentAt = sent.get(key);
                if (sentAt !== undefined) latencies.push(at - sentAt);
                delivered += 1;
              },
              error: () => {},
              complete: () => {},
            },
          );
        });
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const total = rate * seconds;
    const started = performance.now();
    const pending = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      const id = seededLeadId(1 + i);
      pending.push(
        fetch(a.url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: `mutation($id: ID!) { tagLead(id: $id, tags: ["ev${Date.now()}${i}"]) { id version } }`, variables: { id } }),
        })
          .then((r) => r.json())
          .then((body) => {
            if (body.data) sent.set(`${body.data.tagLead.id}:${body.data.tagLead.version}`, performance.now());
            else failedMutations += 1;
          })
          .catch(() => {
            failedMutations += 1;
          }),
      );
    }
    await Promise.all(pending);
    const expected = sent.size * subscribers;
    const deadline = performance.now() + 10_000;
    while (delivered < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    latencies.sort((x, y) => x - y);
    const pct = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN);
    return { subscribers, mutationsPerSecond: rate, seconds, p50Ms: pct(0.5), p99Ms: pct(0.99), delivered, lost: Math.max(0, expected - delivered), failedMutations };
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    await a.stop();
    await b.stop();
  }
}
