import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/infrastructure/embedded-postgres";
import { aCapture, CAPTURE } from "../api/operations";
import { eventually, streamEventsOf } from "../support/redis-streams";
import { subscribe } from "../support/subscriber";
import { dataOf, startTestService, type TestService } from "../support/test-service";

const hasRedis = spawnSync("redis-server", ["--version"]).status === 0;
const children: ChildProcess[] = [];
let dir: string;
let primaryPort: number;
let service: TestService;

async function waitForPing(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (spawnSync("redis-cli", ["-p", String(port), "ping"]).stdout?.toString().trim() === "PONG") return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing answers on ${port}`);
}

beforeAll(async () => {
  if (!hasRedis) return;
  dir = mkdtempSync(join(tmpdir(), "crm-sentinel-"));
  primaryPort = await freePort();
  const sentinelPort = await freePort();
  children.push(spawn("redis-server", ["--port", String(primaryPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" }));
  await waitForPing(primaryPort);
  const config = join(dir, "sentinel.conf");
  writeFileSync(config, `port ${sentinelPort}\nbind 127.0.0.1\nsentinel monitor crm-events 127.0.0.1 ${primaryPort} 1\n`);
  children.push(spawn("redis-server", [config, "--sentinel"], { stdio: "ignore" }));
  await waitForPing(sentinelPort);
  service = await startTestService({ REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`, REDIS_SENTINEL_NAME: "crm-events" });
}, 60_000);
afterAll(async () => {
  await service?.stop();
  for (const child of children) child.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasRedis && !process.env.CI)("Redis through Sentinel", () => {
  it("finds the primary through the sentinel and carries streams and subscriptions", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const live = await subscribe(service.url, rep.token);
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    const [event] = await live.waitFor(1);
    expect(event).toMatchObject({ type: "LEAD_CAPTURED", leadId: lead.id });
    await live.dispose();

    const primary = new Redis({ port: primaryPort, host: "127.0.0.1" });
    try {
      const entries = await eventually(() => streamEventsOf(primary, rep.tenantId, ["events:LeadCaptured"]), (found) => found.length === 1);
      expect(entries[0].fields.aggregate_id).toBe(lead.id);
    } finally {
      primary.disconnect();
    }
    const ready = (await (await fetch(service.url.replace("/graphql", "/ready"))).json()) as { redis: string };
    expect(ready.redis).toBe("up");
  });
});
