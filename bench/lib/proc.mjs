// CPU and memory of processes, read from /proc (Linux): where a request's
// time goes, the benchmarked server's Node process or PostgreSQL.
import { readFileSync, readdirSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const fields = text.slice(close + 2).split(" ");
    return { comm, cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return null;
  }
}

/** User + system CPU a process has used, in ms. */
export const processCpuMs = (pid) => statOf(pid)?.cpuMs ?? 0;

/** CPU used so far by all PostgreSQL server processes on the machine, in ms. */
export function postgresCpuMs() {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(entry);
    if (stat?.comm === "postgres") total += stat.cpuMs;
  }
  return total;
}

/** Peak (VmHWM) and current (VmRSS) resident memory of a process, in MB. */
export function memoryMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { peak: kb("VmHWM") / 1024, current: kb("VmRSS") / 1024 };
  } catch {
    return { peak: 0, current: 0 };
  }
}
