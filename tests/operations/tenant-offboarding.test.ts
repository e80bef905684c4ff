import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { aCapture, CAPTURE, DELETE, LOG_ACTIVITY, TAG } from "../api/operations";
import { ALL_LEAD_STREAMS } from "../events/stream-checks";
import { eventually, streamEventsOf } from "../support/redis-streams";
import { ensureBuilt } from "../support/built-service";
import { createTestDatabase, withClient, type TestDatabase } from "../support/test-database";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";

// tenant:export and tenant:erase run as operators run them: `node dist/...`.
const root = join(__dirname, "..", "..");
const redisUrl = inject("redisUrl");
let database: TestDatabase;
let service: TestService;
let redis: Redis;
let scratch: string;
const tenants: Caller[] = [];

function cli(name: "export" | "erase", args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "dist", "infrastructure", "offboarding", `tenant-${name}-cli.js`), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, DATABASE_URL: database.runtimeUrl, REDIS_URL: redisUrl ?? "", LOG_LEVEL: "silent" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Rows per table (every table with tenant_id) of one tenant, seen as the superuser. */
async function rowsOf(tenantId: string): Promise<Record<string, number>> {
  return withClient(database.adminUrl, async (client) => {
    const tables = (await client.query(`SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY 1`)).rows;
    const counts: Record<string, number> = {};
    for (const { table_name } of tables) {
      counts[table_name] = (await client.query(`SELECT count(*)::int AS n FROM "${table_name}" WHERE tenant_id = $1`, [tenantId])).rows[0].n;
    }
    return counts;
  });
}

const streamEntriesOf = async (tenantId: string) => (await streamEventsOf(redis, tenantId, ALL_LEAD_STREAMS)).map((entry) => `${entry.stream} ${entry.id}`).sort();
const announcementsOf = (tenantId: string) => streamEventsOf(redis, tenantId, ["events:TenantErased"]);

async function seed(caller: Caller): Promise<void> {
  const leads: string[] = [];
  for (let i = 0; i < 4; i++) leads.push(dataOf(await caller.gql(CAPTURE, { input: aCapture() })).captureLead.id);
  for (const id of leads.slice(0, 3)) {
    dataOf(await caller.gql(LOG_ACTIVITY, { leadId: id, input: { type: "CALL", summary: `called ${id}` } }));
    dataOf(await caller.gql(TAG, { id, tags: ["vip"] }));
  }
  dataOf(await caller.gql(DELETE, { id: leads[3] }));
  await eventually(
    () => withClient(database.adminUrl, async (client) => (await client.query(`SELECT count(*)::int AS n FROM outbox WHERE tenant_id = $1 AND published_at IS NULL`, [caller.tenantId])).rows[0].n),
    (n) => n === 0,
  );
}

beforeAll(async () => {
  if (!redisUrl) return;
  ensureBuilt();
  scratch = mkdtempSync(join(tmpdir(), "crm-offboarding-"));
  database = await createTestDatabase();
  service = await startTestService({ REDIS_URL: redisUrl }, { database });
  redis = new Redis(redisUrl);
  for (let i = 0; i < 3; i++) {
    tenants.push(await service.caller({ roles: ["admin"] }));
    await seed(tenants[i]);
  }
}, 240_000);
afterAll(async () => {
  if (redis) {
    for (const tenant of tenants) for (const entry of await announcementsOf(tenant.tenantId)) await redis.xdel(entry.stream, entry.id);
    redis.disconnect();
  }
  await service?.stop();
  await database?.drop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(!redisUrl && !process.env.CI)("tenant offboarding CLIs", () => {
  it("--help prints the usage of each", async () => {
    for (const name of ["export", "erase"] as const) {
      const help = await cli(name, ["--help"]);
      expect(help.status).toBe(0);
      expect(help.stdout).toContain(`npm run tenant:${name} -- --tenant <uuid>`);
    }
  });

  it("tenant:export writes one NDJSON line per lead with its activities and history, equal to the tenant's data", async () => {
    const [target] = tenants;
    const out = join(scratch, "export.ndjson");
    const run = await cli("export", ["--tenant", target.tenantId, "--out", out]);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("tenant:export: done, 3 leads");
    const lines = readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    const expected = await withClient(database.adminUrl, async (client) => {
      const leads = (await client.query(`SELECT to_jsonb(l) AS lead FROM lead l WHERE tenant_id = $1 ORDER BY id`, [target.tenantId])).rows;
      return Promise.all(
        leads.map(async ({ lead }) => ({
          lead,
          activities: (await client.query(`SELECT id FROM activity WHERE tenant_id = $1 AND lead_id = $2 ORDER BY occurred_at, id`, [target.tenantId, lead.id])).rows.map((r) => r.id),
          history: (await client.query(`SELECT id FROM outbox WHERE tenant_id = $1 AND aggregate_id = $2 ORDER BY seq`, [target.tenantId, lead.id])).rows.map((r) => r.id),
        })),
      );
    });
    expect(lines.map((line) => ({ lead: line.lead, activities: line.activities.map((a: any) => a.id), history: line.history.map((e: any) => e.eventId) }))).toEqual(expected);
    for (const line of lines) {
      expect(line.lead.tenant_id).toBe(target.tenantId);
      expect(line.activities[0]).toMatchObject({ type: "CALL", summary: `called ${line.lead.id}` });
      expect(line.history[0]).toMatchObject({ type: "LeadCaptured", version: 1, lead: { id: line.lead.id, version: 1 } });
    }
  });

  it("tenant:erase refuses without a matching --confirm and touches nothing", async () => {
    const [target] = tenants;
    const before = await rowsOf(target.tenantId);
    for (const args of [["--tenant", target.tenantId], ["--tenant", target.tenantId, "--confirm", tenants[1].tenantId]]) {
      const run = await cli("erase", args);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain("--confirm");
    }
    expect(await rowsOf(target.tenantId)).toEqual(before);
  });

  it("tenant:erase removes every row and stream entry of the tenant, nothing of two others, announces once, and a second run is a no-op", async () => {
    const [target, ...others] = tenants;
    const othersBefore = await Promise.all(others.map(async (t) => ({ rows: await rowsOf(t.tenantId), entries: await streamEntriesOf(t.tenantId) })));
    const targetBefore = await rowsOf(target.tenantId);
    expect(targetBefore.lead).toBe(3);
    expect((await streamEntriesOf(target.tenantId)).length).toBeGreaterThan(0);

    const first = await cli("erase", ["--tenant", target.tenantId, "--confirm", target.tenantId]);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.rows).toEqual(targetBefore);
    expect(report.streamEntries).toBeGreaterThan(0);
    expect(report.announced).toBe(true);
    expect(Object.values(await rowsOf(target.tenantId)).every((n) => n === 0)).toBe(true);
    expect(await streamEntriesOf(target.tenantId)).toEqual([]);
    const announcements = await announcementsOf(target.tenantId);
    expect(announcements).toHaveLength(1);
    expect(JSON.parse(announcements[0].fields.data)).toEqual({ tenant_id: target.tenantId });

    for (const [i, other] of others.entries()) {
      expect(await rowsOf(other.tenantId)).toEqual(othersBefore[i].rows);
      expect(await streamEntriesOf(other.tenantId)).toEqual(othersBefore[i].entries);
      expect(await announcementsOf(other.tenantId)).toEqual([]);
    }

    const second = await cli("erase", ["--tenant", target.tenantId, "--confirm", target.tenantId]);
    expect(second.status).toBe(0);
    const again = JSON.parse(second.stdout);
    expect(Object.values(again.rows).every((n) => n === 0)).toBe(true);
    expect(again).toMatchObject({ streamEntries: 0, announced: false });
    expect(await announcementsOf(target.tenantId)).toHaveLength(1);
  });
});
