import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE } from "../api/operations";
import { freePort } from "../../src/infrastructure/embedded-postgres";
import { mintToken } from "../../src/infrastructure/auth/dev-token";
import { loadConfig } from "../../src/infrastructure/config";
import { ensureBuilt } from "../support/built-service";
import { createTestDatabase, withClient, type TestDatabase } from "../support/test-database";
import { TEST_JWT_SECRET } from "../support/test-service";

// The promise Stripe makes: the answer is stored in the mutation's own
// transaction, so a process that dies after the commit and before answering
// loses nothing. The built entry point runs as operators run it, with the
// fault-injection point CRM_FAULT_AFTER_COMMIT=exit (honoured outside production only).

const root = join(__dirname, "..", "..");
let database: TestDatabase;
const running: ChildProcess[] = [];

beforeAll(async () => {
  await ensureBuilt();
  database = await createTestDatabase();
}, 180_000);
afterAll(async () => {
  for (const child of running) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const late = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(late);
  }
  await database?.drop();
}, 30_000);

async function startProcess(env: Record<string, string>): Promise<{ url: string; exited: Promise<string> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, "dist", "main.js")], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(port), DATABASE_URL: database.runtimeUrl, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: "silent", ...env },
    stdio: "ignore",
  });
  running.push(child);
  const exited = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? String(code))));
  for (let attempt = 0; attempt < 150; attempt++) {
    if ((await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.ok) return { url: `http://127.0.0.1:${port}/graphql`, exited };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the service did not become ready");
}

describe("a crash between the commit and the answer", () => {
  it("the retry with the key gets the stored answer after a restart, and the mutation ran once", async () => {
    const tenantId = randomUUID();
    const token = await mintToken({ secret: TEST_JWT_SECRET, tenantId, userId: randomUUID(), roles: ["sales_rep"] });
    const input = aCapture();
    const key = `crash-${randomUUID()}`;
    const request = (url: string) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": key },
        body: JSON.stringify({ query: CAPTURE, variables: { input } }),
      });

    const doomed = await startProcess({ CRM_FAULT_AFTER_COMMIT: "exit" });
    const lost = await request(doomed.url).then(
      (response) => `answered ${response.status}`,
      () => "no answer",
    );
    expect(lost).toBe("no answer");
    expect(await doomed.exited).toBe("SIGKILL");

    const leadsAfterCrash = await withClient(database.adminUrl, async (client) =>
      (await client.query(`SELECT id FROM lead WHERE tenant_id = $1`, [tenantId])).rows.map((row) => row.id as string),
    );
    expect(leadsAfterCrash).toHaveLength(1);

    const restarted = await startProcess({});
    const retry = await request(restarted.url);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const body = (await retry.json()) as { data: { captureLead: { id: string; email: string; version: number } } };
    expect(body.data.captureLead).toMatchObject({ id: leadsAfterCrash[0], email: input.email.toLowerCase(), version: 1 });

    const { leads, events } = await withClient(database.adminUrl, async (client) => ({
      leads: (await client.query(`SELECT id FROM lead WHERE tenant_id = $1`, [tenantId])).rows.length,
      events: (await client.query(`SELECT event_type FROM outbox WHERE tenant_id = $1`, [tenantId])).rows.map((row) => row.event_type),
    }));
    expect(leads).toBe(1);
    expect(events).toEqual(["LeadCaptured"]);
  }, 120_000);

  it("is not injected in production: the variable is ignored there", async () => {
    const base = { DATABASE_URL: "postgres://x@localhost/db", JWT_SECRET: TEST_JWT_SECRET, CRM_FAULT_AFTER_COMMIT: "exit" };
    expect(loadConfig({ ...base, NODE_ENV: "test" }).faultAfterCommit).toBe("exit");
    expect(loadConfig({ ...base, NODE_ENV: "production" }).faultAfterCommit).toBeNull();
  });
});
