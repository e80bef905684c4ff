import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE } from "../api/operations";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { postgresBinaries, ThrowawayPostgres } from "../support/throwaway-postgres";

let cluster: ThrowawayPostgres;
let service: TestService;
let caller: Caller;

beforeAll(async () => {
  if (!postgresBinaries()) return;
  cluster = await ThrowawayPostgres.create();
  service = await startTestService({}, { database: await cluster.prepareCrm() });
  caller = await service.caller({ roles: ["sales_rep"] });
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await cluster?.destroy();
});

const ready = async () => {
  const response = await fetch(service.url.replace("/graphql", "/ready"));
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};

describe.skipIf(!postgresBinaries() && !process.env.CI)("PostgreSQL outage", () => {
  it("fails fast and clearly while down, says so on /ready, recovers by itself, leaves nothing half-written", async () => {
    dataOf(await caller.gql(CAPTURE, { input: aCapture() }));
    await cluster.stop();

    const started = Date.now();
    const failed = await caller.gql(CAPTURE, { input: aCapture() });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(failed.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    expect(failed.errors?.[0]?.message).toBe("Internal server error");
    expect(JSON.stringify(failed)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at /);
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body.postgres).toBe("down");
    expect((await fetch(service.url.replace("/graphql", "/health"))).status).toBe(200);

    await cluster.start();
    let recovered = null;
    for (let attempt = 0; attempt < 50 && !recovered; attempt++) {
      const response = await caller.gql(CAPTURE, { input: aCapture() });
      if (response.data?.captureLead) recovered = response.data.captureLead;
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(recovered?.version).toBe(1);
    expect((await ready()).status).toBe(200);

    const admin = new Client({ connectionString: cluster.adminUrl });
    await admin.connect();
    try {
      const orphans = await admin.query(`SELECT l.id FROM lead l LEFT JOIN outbox o ON o.aggregate_id = l.id AND o.event_type = 'LeadCaptured' WHERE o.id IS NULL`);
      expect(orphans.rows).toEqual([]);
      expect((await admin.query(`SELECT count(*)::int AS n FROM lead`)).rows[0].n).toBe(2);
    } finally {
      await admin.end();
    }
  }, 60_000);
});

