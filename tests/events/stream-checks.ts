// Helpers shared by the events suite (not a test file itself).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import Redis from "ioredis";
import { freePort } from "../../src/infrastructure/embedded-postgres";
import type { StreamEvent } from "../support/redis-streams";

/** Every stream a lead's events can land on. */
export const LEAD_EVENT_NAMES = [
  "LeadCaptured",
  "LeadContactUpdated",
  "LeadAssigned",
  "LeadStatusChanged",
  "LeadActivityLogged",
  "LeadTagsChanged",
  "LeadScoreChanged",
  "LeadEnriched",
  "LeadDeleted",
  "LeadMerged",
] as const;
export const ALL_LEAD_STREAMS = LEAD_EVENT_NAMES.map((name) => `events:${name}`);

/** The fields every stream entry carries, and nothing else. */
export const STREAM_FIELDS = ["aggregate_id", "data", "event_id", "event_type", "occurred_at", "tenant_id", "version"];

/** A stream id as [milliseconds, sequence]. */
export function streamIdParts(id: string): [number, number] {
  const [ms, seq] = id.split("-");
  return [Number(ms), Number(seq)];
}

/** Within one stream, entries in stream order (XRANGE already gives that; this makes it explicit). */
export function inStreamOrder(events: StreamEvent[]): StreamEvent[] {
  return [...events].sort((a, b) => {
    const [am, as] = streamIdParts(a.id);
    const [bm, bs] = streamIdParts(b.id);
    return am - bm || as - bs;
  });
}

/**
 * Order per lead across streams: ids of different streams share Redis' clock
 * but not its sequence numbers, so only entries in different milliseconds can
 * be compared. Returns the pairs that contradict version order (none expected).
 */
export function crossStreamReorderings(events: StreamEvent[]): [StreamEvent, StreamEvent][] {
  const bad: [StreamEvent, StreamEvent][] = [];
  for (const a of events) {
    for (const b of events) {
      if (streamIdParts(a.id)[0] < streamIdParts(b.id)[0] && Number(a.fields.version) > Number(b.fields.version)) bad.push([a, b]);
    }
  }
  return bad;
}

/** Runs `work` with a superuser connection on the test's database (bypasses RLS: for inspecting). */
export { withClient as withAdmin } from "../support/test-database";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The redis-server binary (Debian's path first), or null when it is not installed. */
export const redisServerBinary: string | null = existsSync("/usr/bin/redis-server")
  ? "/usr/bin/redis-server"
  : spawnSync("redis-server", ["--version"]).status === 0
    ? "redis-server"
    : null;

/** A redis-server child process of the test's own on a free port, to kill and start again on that port. */
export class ChildRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<ChildRedis> {
    const redis = new ChildRedis(await freePort());
    await redis.resume();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    if (!redisServerBinary) throw new Error("redis-server is not installed");
    this.child = spawn(redisServerBinary, ["--port", String(this.port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"], { stdio: "ignore" });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on("error", () => {}); // refused while it starts: expected
      try {
        await probe.connect();
        if ((await probe.ping()) === "PONG") return;
      } catch {
        // not up yet
      } finally {
        probe.disconnect();
      }
      await sleep(50);
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** Kills the server (SIGKILL: an outage, not a shutdown). */
  async halt(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }
}
