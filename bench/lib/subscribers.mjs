// A child process of the event benchmark holding `count` graphql-ws
// subscribers on one instance, so the clients' work does not delay the
// parent's mutation timestamps. Receipt times are wall-clock milliseconds
// (timeOrigin + now), comparable across processes on one machine.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const clock = () => performance.timeOrigin + performance.now();
const receipts = new Map(); // activityId -> receipt times
let received = 0;
const clients = [];

async function connect({ url, count, token, query }) {
  await Promise.all(
    Array.from({ length: count }, () => {
      const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: false, retryAttempts: 0, onNonLazyError: () => {} });
      clients.push(client);
      return new Promise((resolve, reject) => {
        client.on("connected", resolve);
        client.on("closed", (event) => reject(new Error(`subscriber closed: ${event?.code ?? ""} ${event?.reason ?? ""}`)));
        client.subscribe({ query }, {
          next: ({ data }) => {
            const at = clock();
            const key = data?.leadEvents?.payload?.activityId;
            if (!key) return;
            received += 1;
            const list = receipts.get(key);
            if (list) list.push(at);
            else receipts.set(key, [at]);
          },
          error: () => {},
          complete: () => {},
        });
      });
    }),
  );
}

/** Latencies of the sent events (receipt - sent time), and what did not arrive. Leaves the receipts as they are. */
function finish({ sent, count, ignore = [] }) {
  const skip = new Set(ignore);
  const keys = new Set();
  const latencies = [];
  let lost = 0;
  let duplicates = 0;
  for (const [key, sentAt] of sent) {
    keys.add(key);
    const times = receipts.get(key) ?? [];
    for (const at of times.slice(0, count)) latencies.push(at - sentAt);
    lost += Math.max(0, count - times.length);
    duplicates += Math.max(0, times.length - count);
  }
  let unmatched = 0;
  for (const [key, times] of receipts) if (!keys.has(key) && !skip.has(key)) unmatched += times.length;
  return { latencies: Float64Array.from(latencies), lost, duplicates, unmatched };
}

// The parent went away: do not linger.
process.on("disconnect", () => process.exit(0));

process.on("message", async (message) => {
  try {
    if (message.type === "connect") {
      await connect(message);
      process.send({ type: "connected" });
    } else if (message.type === "received") {
      process.send({ type: "received", received, keys: message.keys?.map((key) => receipts.get(key)?.length ?? 0) });
    } else if (message.type === "finish") {
      process.send({ type: "finished", ...finish(message) });
    } else if (message.type === "close") {
      await Promise.all(clients.map((client) => client.dispose()));
      process.exit(0);
    }
  } catch (error) {
    process.send({ type: "error", message: String(error) });
  }
});
