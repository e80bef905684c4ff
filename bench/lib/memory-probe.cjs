// Preloaded (node --require) into a benchmarked server by bench/memory.mjs:
// serves where the process's memory goes as JSON on MEMORY_PORT —
// process.memoryUsage() (heap, external, arrayBuffers), V8's heap spaces and
// code statistics, /proc/self/smaps_rollup and /proc/self/status (RSS, peak,
// anonymous vs file-backed), and the loaded modules counted per package.
// GET /gc runs a full GC first (needs --expose-gc) to tell live data from garbage.
const http = require("node:http");
const fs = require("node:fs");
const v8 = require("node:v8");

const kb = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;

function modulesByPackage() {
  const counts = {};
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const name = match ? match[1] : file.includes("/dist/") ? "service dist" : "other";
    const size = (() => {
      try {
        return fs.statSync(file).size;
      } catch {
        return 0;
      }
    })();
    const entry = (counts[name] ??= { files: 0, sourceKb: 0 });
    entry.files += 1;
    entry.sourceKb += Math.round(size / 1024);
  }
  return Object.entries(counts).sort((a, b) => b[1].sourceKb - a[1].sourceKb);
}

function report() {
  const usage = process.memoryUsage();
  const rollup = fs.readFileSync("/proc/self/smaps_rollup", "utf8");
  const status = fs.readFileSync("/proc/self/status", "utf8");
  const code = v8.getHeapCodeStatistics();
  return {
    rssMb: mb(usage.rss),
    peakRssMb: Math.round(kb(status, "VmHWM") / 1024),
    heapTotalMb: mb(usage.heapTotal),
    heapUsedMb: mb(usage.heapUsed),
    externalMb: mb(usage.external),
    arrayBuffersMb: mb(usage.arrayBuffers),
    v8CodeMb: mb(code.code_and_metadata_size + code.bytecode_and_metadata_size),
    heapSpacesMb: Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: mb(s.space_size), used: mb(s.space_used_size) }])),
    smaps: { rssMb: Math.round(kb(rollup, "Rss") / 1024), anonymousMb: Math.round(kb(rollup, "Anonymous") / 1024), fileMb: Math.round((kb(rollup, "Rss") - kb(rollup, "Anonymous")) / 1024), swapMb: Math.round(kb(rollup, "Swap") / 1024) },
    modules: modulesByPackage().slice(0, 25),
    moduleFiles: Object.keys(require.cache).length,
  };
}

const port = Number(process.env.MEMORY_PORT);
if (port) {
  http
    .createServer((req, res) => {
      if (req.url === "/gc" && typeof global.gc === "function") global.gc();
      if (req.url?.startsWith("/snapshot")) {
        const file = v8.writeHeapSnapshot(decodeURIComponent(req.url.split("?")[1] ?? "") || undefined);
        return res.end(JSON.stringify({ file }));
      }
      res.end(JSON.stringify(report()));
    })
    .on("error", (error) => console.error(`memory probe: ${error.message}`))
    .listen(port, "127.0.0.1")
    .unref();
}
