import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE } from "../api/operations";
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

function run(env: Record<string, string>): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(root, "dist", "main.js")], { cwd: root, env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
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
