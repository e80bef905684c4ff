// BENCH_TRACING: the service with OpenTelemetry tracing on, exporting over
// OTLP/HTTP to a receiver in the benchmark's process that reads each export
// and throws it away (the service pays for recording, batching, encoding and
// sending; nothing is stored).
import { createServer } from "node:http";

/** `off`, or a sampling percentage (`10`, `100`): the service's OTEL_* environment for it. */
export function tracingEnv(setting, endpoint) {
  if (setting === "off") return {};
  const percent = Number(setting);
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new Error(`BENCH_TRACING: "${setting}" is neither off nor a percentage (0..100)`);
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    // No caller's traceparent in the load: the service's own root sampler decides.
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: String(percent / 100),
  };
}

/** An OTLP/HTTP endpoint that accepts and discards; counts what it received. */
export async function startDiscardingReceiver() {
  const received = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on("data", (chunk) => (received.bytes += chunk.length));
    req.on("end", () => {
      received.requests += 1;
      res.writeHead(200, { "content-type": req.headers["content-type"] ?? "application/x-protobuf" }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    received,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
