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

/**
 * CPU used so far by each PostgreSQL backend serving `database` (the process
 * title names it: "postgres: [cluster: ]<user> <database> <client> <state>"), by pid, in ms.
 * On a machine other engineers load, the machine-wide sum moves with their
 * work and drops when their backends exit; the backends of the bench database
 * are the benchmarked servers' own (pooled, so they outlive a measured window).
 * Background work (WAL writer, checkpointer, autovacuum) is not counted.
 */
export function postgresBackendCpuMs(database) {
  const byPid = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(entry);
    if (stat?.comm !== "postgres") continue;
    let title = "";
    try {
      title = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue;
    }
    // Debian's clusters put their name first: "postgres: 15/main: <user> <database> ...".
    if (/^postgres: (?:\S+: )?\S+ (\S+) /.exec(title)?.[1] === database) byPid.set(entry, stat.cpuMs);
  }
  return byPid;
}

/** CPU the backends of `database` used between two postgresBackendCpuMs samples (a backend born in between counts whole). */
export function backendCpuSince(before, after) {
  let total = 0;
  for (const [pid, cpuMs] of after) total += cpuMs - (before.get(pid) ?? 0);
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
