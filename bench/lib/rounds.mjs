// Interleaved rounds: a scenario's figure for a target is the median of its
// rounds (each round a fixed-time load run, the targets taking turns), with
// the spread between rounds, so a neighbour's burst on the shared machine
// moves one round of one target rather than a whole target's figure.

export function median(values) {
  const sorted = values.filter((v) => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round2 = (x) => (x === null ? null : Math.round(x * 100) / 100);
const MEDIAN_FIELDS = ["requestsPerSecond", "p50Ms", "p99Ms", "statementsPerRequest", "roundTripsPerRequest", "serverCpuMsPerRequest", "postgresCpuMsPerRequest", "loadGeneratorCpuMsPerRequest"];

/** One target's rounds of one scenario as one figure: medians, totals, and each round's numbers. */
export function summarizeRounds(rounds) {
  const figure = {};
  for (const field of MEDIAN_FIELDS) figure[field] = round2(median(rounds.map((r) => r[field])));
  figure.requestsPerSecond = Math.round(figure.requestsPerSecond ?? 0);
  const rates = rounds.map((r) => r.requestsPerSecond);
  const [min, max] = [Math.min(...rates), Math.max(...rates)];
  figure.spreadPercent = figure.requestsPerSecond ? Math.round(((max - min) / figure.requestsPerSecond) * 100) : null;
  figure.errors = rounds.reduce((sum, r) => sum + r.errors, 0);
  figure.firstError = rounds.find((r) => r.firstError)?.firstError ?? null;
  figure.requests = rounds.reduce((sum, r) => sum + r.requests, 0);
  figure.seconds = rounds.reduce((sum, r) => sum + r.seconds, 0);
  // The shapes of the round closest to the median: counts per request, not summable.
  const closest = [...rounds].sort((a, b) => Math.abs(a.requestsPerSecond - figure.requestsPerSecond) - Math.abs(b.requestsPerSecond - figure.requestsPerSecond))[0];
  figure.statementShapes = closest?.statementShapes ?? {};
  figure.rounds = rounds.map((r) => ({
    requestsPerSecond: r.requestsPerSecond,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    serverCpuMsPerRequest: r.serverCpuMsPerRequest,
    postgresCpuMsPerRequest: r.postgresCpuMsPerRequest,
    errors: r.errors,
  }));
  return figure;
}

/**
 * The service against each other target of a scenario: median req/s over
 * median req/s (above 1: the service serves more), and server CPU per request
 * over the other's (below 1: the service spends less of its own CPU).
 */
export function ratiosOf(byTarget) {
  const service = byTarget.service;
  const ratios = {};
  const cpu = {};
  if (!service) return { ratios, cpu };
  for (const [name, f] of Object.entries(byTarget)) {
    if (name === "service") continue;
    if (f.requestsPerSecond) ratios[name] = round2(service.requestsPerSecond / f.requestsPerSecond);
    if (f.serverCpuMsPerRequest) cpu[name] = round2(service.serverCpuMsPerRequest / f.serverCpuMsPerRequest);
  }
  return { ratios, cpu };
}
