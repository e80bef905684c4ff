// CPU profile of a benchmarked server over exactly the measured window,
// through the V8 inspector (the child runs with --inspect on loopback), and a
// summary of where the time went: self time by package / layer and the
// hottest functions.
import WebSocket from "ws";

export async function startProfiling(inspectPort) {
  const [target] = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  let id = 0;
  const pending = new Map();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const n = ++id;
      pending.set(n, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
      socket.send(JSON.stringify({ id: n, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 200 });
  await call("Profiler.start");
  return {
    async stop() {
      const { profile } = await call("Profiler.stop");
      socket.close();
      return profile;
    },
  };
}

/** Where a frame's code comes from: an npm package, a layer of the service, Node core, V8. */
function categoryOf({ url, functionName }) {
  if (!url) return functionName.startsWith("(") ? functionName : `(native) ${functionName || "anonymous"}`;
  if (url.startsWith("wasm://")) return "wasm (Prisma query compiler)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.endsWith("count-statements.cjs")) return "pg"; // the benchmark's counter, a thin layer over pg
  const dist = /\/dist\/([^/]+)\//.exec(url);
  if (dist) return `service dist/${dist[1]}`;
  if (url.startsWith("node:")) return url.replace(/^node:(internal\/)?([^/]+).*/, "node:$1$2");
  return url.replace(/^.*\//, "");
}

export function summarize(profile, requests) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  // Each node's categories on its stack, for inclusive time ("everything under Prisma").
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const stackCategories = new Map();
  const onStack = (nodeId) => {
    let found = stackCategories.get(nodeId);
    if (found) return found;
    const parent = parents.get(nodeId);
    found = new Set(parent === undefined ? [] : onStack(parent));
    const category = categoryOf(byId.get(nodeId).callFrame);
    // Inclusive time is told for packages and service layers; Node's own dispatch frames sit under everything.
    if (!category.startsWith("(") && !category.startsWith("node:")) found.add(category);
    stackCategories.set(nodeId, found);
    return found;
  };
  const categories = new Map();
  const inclusive = new Map();
  const functions = new Map();
  let total = 0;
  let idle = 0;
  for (const [nodeId, micros] of self) {
    const frame = byId.get(nodeId).callFrame;
    if (frame.functionName === "(idle)") {
      idle += micros;
      continue;
    }
    total += micros;
    const category = categoryOf(frame);
    categories.set(category, (categories.get(category) ?? 0) + micros);
    for (const c of onStack(nodeId)) inclusive.set(c, (inclusive.get(c) ?? 0) + micros);
    const fn = `${frame.functionName || "(anonymous)"} ${frame.url ? `${frame.url.replace(/^.*node_modules\//, "").replace(/^.*\/dist\//, "dist/")}:${frame.lineNumber + 1}` : ""}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + micros);
  }
  const rank = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, micros]) => ({ name, msPerRequest: Math.round((micros / 1000 / requests) * 100) / 100, percent: Math.round((micros / total) * 1000) / 10 }));
  return {
    busyMsPerRequest: Math.round((total / 1000 / requests) * 100) / 100,
    idlePercent: Math.round((idle / (idle + total)) * 1000) / 10,
    byCategory: rank(categories, 15),
    inclusiveByCategory: rank(inclusive, 15),
    topFunctions: rank(functions, 15),
  };
}
