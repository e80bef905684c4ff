import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE, LEAD, LEADS, LOG_ACTIVITY } from "../api/operations";
import { eventually } from "../support/redis-streams";
import { dataOf, startTestService, type TestService } from "../support/test-service";
import { postgresBinaries, ThrowawayPostgres } from "../support/throwaway-postgres";

let primary: ThrowawayPostgres;
let replica: ThrowawayPostgres;
let service: TestService;

beforeAll(async () => {
  if (!postgresBinaries()) return;
  primary = await ThrowawayPostgres.create();
  const database = await primary.prepareCrm();
  replica = await primary.replicate();
  service = await startTestService({ DATABASE_REPLICA_URLS: database.runtimeUrlOn(replica.port) }, { database });
}, 90_000);
afterAll(async () => {
  await service?.stop();
  await replica?.destroy();
  await primary?.destroy();
});

async function onReplica(sql: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: replica.adminUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!postgresBinaries() && !process.env.CI)("read replicas", () => {
  it("serves queries from the replica, writes (and what a mutation returns) from the primary", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;

    // A mutation reads its own write back from the primary, even with nested fields.
    const logged = dataOf(
      await rep.gql(`mutation($id: ID!) { tagLead(id: $id, tags: ["fresh"]) { version tags activities { totalCount } } }`, { id: lead.id }),
    ).tagLead;
    expect(logged).toMatchObject({ version: 2, tags: ["fresh"] });

    // Queries go to the replica and see writes once replicated.
    const seen = await eventually(async () => dataOf(await rep.gql(LEAD, { id: lead.id })).lead, (found) => found?.version === 2);
    expect(seen.tags).toEqual(["fresh"]);

    // With replay paused, the replica lags: queries still show the old lead,
    // while a mutation's answer (read from the primary) shows its own write.
    expect((await onReplica("SELECT pg_is_in_recovery() AS standby"))[0].standby).toBe(true);
    await onReplica("SELECT pg_wal_replay_pause()");
    try {
      const answer = dataOf(
        await rep.gql(`mutation($id: ID!) { tagLead(id: $id, tags: ["paused"]) { version tags } }`, { id: lead.id }),
      ).tagLead;
      expect(answer).toMatchObject({ version: 3, tags: ["fresh", "paused"] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(dataOf(await rep.gql(LEAD, { id: lead.id })).lead.version).toBe(2);
      expect(dataOf(await rep.gql(LEADS, {})).leads.edges[0].node).toMatchObject({ id: lead.id });
    } finally {
      await onReplica("SELECT pg_wal_replay_resume()");
    }
    const caughtUp = await eventually(async () => dataOf(await rep.gql(LEAD, { id: lead.id })).lead, (found) => found?.version === 3);
    expect(caughtUp.tags).toEqual(["fresh", "paused"]);

    dataOf(await rep.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "NOTE", summary: "written to the primary" } }));
    const replicated = await eventually(async () => dataOf(await rep.gql(LEAD, { id: lead.id })).lead, (found) => found?.activities.totalCount === 1);
    expect(replicated.activities.edges[0].node.summary).toBe("written to the primary");
  }, 60_000);
});
