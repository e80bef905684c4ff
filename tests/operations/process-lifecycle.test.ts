import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE, LEADS } from "../api/operations";
import { freePort } from "../../src/infrastructure/embedded-postgres";
import { mintToken } from "../../src/infrastructure/auth/dev-token";
import { ensureBuilt } from "../support/built-service";
import { subscribe } from "../support/subscriber";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { TEST_JWT_SECRET } from "../support/test-service";

// These run the built entry point as operators do: `node dist/main.js`.
const root = join(__dirname, "..", "..");
let database: TestDatabase;

beforeAll(ensureBuilt, 180_000);
afterAll(() => database?.drop());

function run(
  env: Record<string, string>,
  options: { ownProcessGroup?: boolean } = {},
): { child: ChildProcess; stderr: () => string; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(root, "dist", "main.js")], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.ownProcessGroup ?? false,
  });
  let stderr = "";
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
    output += chunk;
  });
  // A signal death reports code null with the signal: keep it visible in the assertion.
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal as unknown as number))));
  return { child, stderr: () => stderr, output: () => output, exited };
}

describe("the process", () => {
  it("stops at start with one line naming a bad variable, no stack trace", async () => {
    const { stderr, exited } = run({ DATABASE_URL: "not-a-url", JWT_SECRET: TEST_JWT_SECRET });
    expect(await exited).toBe(1);
    const lines = stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DATABASE_URL/);
    expect(stderr()).not.toMatch(/\n\s+at /);
  });

  it("on SIGTERM during a burst of mutations: finishes what it answered, exits 0, nothing half-done", async () => {
    database = await createTestDatabase();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/graphql`;
    const { child, exited } = run({ NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(port), DATABASE_URL: database.runtimeUrl, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: "silent" });
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const tenantId = crypto.randomUUID();
    const token = await mintToken({ secret: TEST_JWT_SECRET, tenantId, userId: crypto.randomUUID(), roles: ["sales_rep"] });
    const subscriber = await subscribe(url, token);

    const burst = Array.from({ length: 200 }, (_, i) =>
      new Promise((resolve) => setTimeout(resolve, i * 2)).then(() =>
        fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: CAPTURE, variables: { input: aCapture() } }),
        })
          .then(async (response) => ((await response.json()) as { data?: { captureLead?: { id: string } } }).data?.captureLead?.id ?? null)
          .catch(() => null),
      ),
    );
    setTimeout(() => child.kill("SIGTERM"), 150);
    const answered = (await Promise.all(burst)).filter((id): id is string => id !== null);
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000, "still running"))]);
    expect(code).toBe(0);
    expect((await subscriber.closed).code).toBeGreaterThanOrEqual(1000);

    const admin = new Client({ connectionString: database.adminUrl });
    await admin.connect();
    try {
      const leads = (await admin.query(`SELECT id FROM lead WHERE tenant_id = $1`, [tenantId])).rows.map((row) => row.id);
      const captured = (await admin.query(`SELECT aggregate_id FROM outbox WHERE tenant_id = $1 AND event_type = 'LeadCaptured'`, [tenantId])).rows.map((row) => row.aggregate_id);
      expect(answered.length).toBeGreaterThan(0);
      for (const id of answered) expect(leads).toContain(id);
      expect([...leads].sort()).toEqual([...captured].sort());
    } finally {
      await admin.end();
    }
  }, 60_000);
});

/** Polls /ready until it answers 200 (the process may be initialising its embedded database). */
async function untilReady(port: number, exited: Promise<number | null>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 600 && !gone; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(gone ? "the process exited before it was ready" : "the process never became ready");
}

type Moment = "right after ready" | "mid-request" | "mid-subscription";
const MOMENTS: Moment[] = ["right after ready", "mid-request", "mid-subscription"];
const SIGNALS = ["SIGTERM", "SIGINT"] as const;
const GRACE_MS = 30_000;

/**
 * Brings the process to `moment` and then sends `signal`; returns what to check
 * afterwards (in-flight requests settle, subscribers are closed).
 */
async function reach(moment: Moment, url: string, token: string, kill: () => void): Promise<() => Promise<void>> {
  if (moment === "right after ready") {
    kill();
    return async () => {};
  }
  if (moment === "mid-request") {
    const requests = Array.from({ length: 30 }, (_, i) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(i % 2 ? { query: CAPTURE, variables: { input: aCapture() } } : { query: LEADS, variables: { first: 20 } }),
      }).then((response) => response.text(), () => "connection closed"),
    );
    // Once one has been answered, the rest are in the server's hands.
    await Promise.race(requests);
    kill();
    return async () => {
      for (const answer of await Promise.all(requests)) expect(answer).not.toMatch(/Unhandled|\n\s+at /);
    };
  }
  const subscriber = await subscribe(url, token);
  const capture = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: CAPTURE, variables: { input: aCapture() } }),
  });
  expect(capture.status).toBe(200);
  await subscriber.waitFor(1, 10_000).catch(() => {}); // live when the event arrives; the stop is the test
  kill();
  return async () => {
    expect((await subscriber.closed).code).toBeGreaterThanOrEqual(1000);
  };
}

describe.each(["embedded", "external"] as const)("stopping the built process with the %s database", (kind) => {
  let dataDir: string;
  let external: TestDatabase;
  beforeAll(async () => {
    // One data folder for the file: the first start initialises it, the others reuse it.
    if (kind === "embedded") dataDir = mkdtempSync(join(tmpdir(), "crm-lifecycle-"));
    else external = await createTestDatabase();
  }, 60_000);
  afterAll(async () => {
    await external?.drop();
    if (!dataDir) return;
    // A failed test may have left the embedded server of a killed process running: stop it before removing its files.
    const pidFile = join(dataDir, "pg", "postmaster.pid");
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
      try {
        process.kill(pid, "SIGINT");
        for (let i = 0; i < 100 && existsSync(pidFile); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.runIf(kind === "embedded")("Ctrl-C in a terminal (SIGINT to the whole process group, the embedded server too) mid-request: exits 0", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/graphql`;
    const { child, output, exited } = run({ HOST: "127.0.0.1", PORT: String(port), JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: "info", DATA_DIR: dataDir }, { ownProcessGroup: true });
    try {
      await untilReady(port, exited);
      const token = await mintToken({ secret: TEST_JWT_SECRET, tenantId: crypto.randomUUID(), userId: crypto.randomUUID(), roles: ["admin"] });
      const settle = await reach("mid-request", url, token, () => process.kill(-child.pid!, "SIGINT"));
      const code = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, GRACE_MS, "still running"))]);
      expect(code, output()).toBe(0);
      await settle();
      expect(output()).not.toMatch(/Unhandled|uncaught|\n\s+at /i);
      expect(existsSync(join(dataDir, "pg", "postmaster.pid"))).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(-child.pid!, "SIGKILL");
        await exited;
      }
    }
  }, 90_000);

  for (const signal of SIGNALS) {
    for (const moment of MOMENTS) {
      it(`${signal} ${moment}: exits 0 within the grace period, every connection closed first, nothing unhandled`, async () => {
        const port = await freePort();
        const url = `http://127.0.0.1:${port}/graphql`;
        const common = { HOST: "127.0.0.1", PORT: String(port), JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: "info" };
        const env: Record<string, string> =
          kind === "embedded"
            ? { ...common, DATA_DIR: dataDir } // development, as `npm start` on a bare machine
            : { ...common, NODE_ENV: "production", DATABASE_URL: external.runtimeUrl };
        const { child, output, exited } = run(env);
        try {
          await untilReady(port, exited);
          const token = await mintToken({ secret: TEST_JWT_SECRET, tenantId: crypto.randomUUID(), userId: crypto.randomUUID(), roles: ["admin"] });
          const settle = await reach(moment, url, token, () => child.kill(signal));
          const code = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, GRACE_MS, "still running"))]);
          expect(code, output()).toBe(0);
          await settle();
          expect(output()).toMatch(/shutting down/);
          expect(output()).not.toMatch(/Unhandled|uncaught|\n\s+at |57P01|terminating connection/i);
          if (kind === "external") expect(output()).not.toContain(new URL(external.runtimeUrl).password);
          // The embedded server stopped too, cleanly (PostgreSQL removes its pid file on a clean stop).
          if (kind === "embedded") expect(existsSync(join(dataDir, "pg", "postmaster.pid"))).toBe(false);
        } finally {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGKILL");
            await exited;
          }
        }
      }, 90_000);
    }
  }
});
