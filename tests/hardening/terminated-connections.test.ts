import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/infrastructure/logger";
import { aCapture, CAPTURE, LEAD, LEADS } from "../api/operations";
import { withClient } from "../support/test-database";
import { dataOf, startTestService, type Caller, type GraphQLResponse, type TestService } from "../support/test-service";

// A database connection can vanish under the service at any time (a restart, a
// failover, an operator's pg_terminate_backend). Each pooled connection must
// report it (warn, no secret) and be replaced; the process must stay up.

let service: TestService;
let rep: Caller;
const logLines: string[] = [];

beforeAll(async () => {
  const logger = createLogger("warn", { write: (line: string) => void logLines.push(line) });
  service = await startTestService({ DATABASE_POOL_MAX: "8" }, { logger });
  rep = await service.caller({ roles: ["sales_rep"] });
});
afterAll(() => service?.stop());

/** Terminates every backend of this service's runtime role (as the admin); how many. */
function terminateServiceConnections(): Promise<number> {
  return withClient(service.database.adminUrl, async (admin) => {
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()`,
      [service.database.runtimeRole],
    );
    return rows[0].n;
  });
}

function lostConnectionWarnings(): Record<string, unknown>[] {
  return logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => /connection lost/.test(String(entry.msg)));
}

async function ready(): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(service.url.replace("/graphql", "/ready"));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Data, or an error that carries a code: never a crash, never a bare 500 without one. */
function answeredOrCoded(response: GraphQLResponse): boolean {
  if (response.data && !response.errors?.length) return true;
  return Boolean(response.errors?.length && response.errors.every((error) => typeof error.extensions?.code === "string"));
}

describe("a database connection terminated under the service", () => {
  it("while idle: each one is reported at warn without secrets, replaced, and the next request succeeds on its first try", async () => {
    // Warm several connections: a write (Prisma), reads (the query side), the relay's pool.
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    await Promise.all(Array.from({ length: 4 }, () => rep.gql(LEADS, { first: 5 })));
    const warningsBefore = lostConnectionWarnings().length;

    const terminated = await terminateServiceConnections();
    expect(terminated).toBeGreaterThan(0);
    // Every terminated connection reports itself before anything else is asked of the pool.
    await expect.poll(() => lostConnectionWarnings().length - warningsBefore, { timeout: 10_000 }).toBeGreaterThanOrEqual(terminated);

    expect(dataOf(await rep.gql(LEAD, { id: lead.id })).lead.id).toBe(lead.id);
    expect(dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead.id).toBeTruthy();
    expect(await ready()).toMatchObject({ status: 200, body: { status: "ready", postgres: "up" } });

    const warnings = lostConnectionWarnings();
    for (const warning of warnings) expect(warning.level).toBe(40);
    const logged = logLines.join("\n");
    expect(logged).toMatch(/57P01/);
    expect(logged).not.toContain(new URL(service.database.runtimeUrl).password);
    expect(logged).not.toMatch(/password/i);
  });

  it("under concurrent load: in-flight requests succeed or fail with a code, the process keeps serving, /ready stays truthful", async () => {
    const before = lostConnectionWarnings().length;
    const load = Array.from({ length: 40 }, (_, i) =>
      new Promise((resolve) => setTimeout(resolve, i * 5)).then(() => (i % 2 ? rep.gql(CAPTURE, { input: aCapture() }) : rep.gql(LEADS, { first: 10 }))),
    );
    // Terminate twice while the load is running.
    const terminations = [50, 120].map((delay) => new Promise((resolve) => setTimeout(resolve, delay)).then(terminateServiceConnections));
    const responses = await Promise.all(load);
    expect((await Promise.all(terminations)).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);

    for (const response of responses) expect(answeredOrCoded(response), JSON.stringify(response.errors)).toBe(true);
    await expect.poll(() => lostConnectionWarnings().length, { timeout: 10_000 }).toBeGreaterThan(before);

    // Still serving, first try, and the database is up so /ready says so.
    expect(dataOf(await rep.gql(LEADS, { first: 1 })).leads.totalCount).toBeGreaterThan(0);
    expect(dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead.id).toBeTruthy();
    expect(await ready()).toMatchObject({ status: 200, body: { status: "ready", postgres: "up" } });
  });
});
