import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import { aCapture, CAPTURE, LEADS } from "../api/operations";
import { openGraphqlSocket } from "../support/graphql-socket";
import { eventually } from "../support/redis-streams";
import { withClient } from "../support/test-database";
import { dataOf, errorOf, startTestService, type Caller, type GraphQLResponse, type TestService } from "../support/test-service";

// docs/domain.md, "Overload": work the service cannot take is refused at once, before any
// transaction starts (HTTP 503, Retry-After, SERVICE_OVERLOADED), and nothing of it runs.
// One place, one waiting slot: a capture held on a table lock fills the place, the next one waits.
const WAIT_BOUND_MS = 4000;
let service: TestService;
let caller: Caller;
/** An admin session holding `LOCK TABLE lead` while a test wants the gate full. */
let locker: Client | null = null;

beforeAll(async () => {
  service = await startTestService({
    DATABASE_POOL_MAX: "2",
    OVERLOAD_MAX_IN_FLIGHT: "1",
    OVERLOAD_MAX_QUEUE: "1",
    OVERLOAD_MAX_QUEUE_WAIT_MS: String(WAIT_BOUND_MS),
  });
  caller = await service.caller({ roles: ["sales_rep"] });
}, 60_000);
// A test that failed with the gate full must not leave the next one facing it.
afterEach(() => unlock().catch(() => {}));
afterAll(async () => {
  await service?.stop();
});

type Answer = GraphQLResponse & { raw: Response };
const capture = (email: string, headers: Record<string, string> = {}): Promise<Answer> =>
  service.post({ query: CAPTURE, variables: { input: { name: email, email, source: "WEBSITE_FORM" } } }, { authorization: `Bearer ${caller.token}`, ...headers });

/** Blocks every insert into `lead` until `unlock()`; a capture sent now holds its place, waiting on the lock. */
async function lockLeads(): Promise<void> {
  locker = new Client({ connectionString: service.database.adminUrl });
  await locker.connect();
  await locker.query("BEGIN; LOCK TABLE lead IN SHARE MODE");
}
async function unlock(): Promise<void> {
  await locker?.query("COMMIT");
  await locker?.end();
  locker = null;
}

/**
 * The request path's sessions that are running something or inside a transaction
 * (the outbox relay's and the purge's, on the same role, are left out).
 */
async function busySessions(): Promise<{ state: string; query: string; waiting: boolean }[]> {
  return withClient(service.database.adminUrl, async (client) =>
    (
      await client.query(
        `SELECT state, query, wait_event_type = 'Lock' AS waiting FROM pg_stat_activity
          WHERE datname = $1 AND usename = $2 AND state <> 'idle'
            AND query NOT LIKE '%crm_claim_outbox%' AND query NOT LIKE '%crm_outbox_backlog%' AND query NOT LIKE '%idempotency_record%'
            -- The relay's claim caught between its BEGIN and its call; a shed request's statements are counted apart.
            AND NOT (state = 'idle in transaction' AND query = 'BEGIN')`,
        [service.database.name, service.database.runtimeRole],
      )
    ).rows,
  );
}

async function metric(name: string): Promise<string> {
  return (await fetch(service.url.replace(/\/graphql$/, "/metrics")).then((response) => response.text()))
    .split("\n")
    .filter((line) => line.startsWith(name))
    .join("\n");
}

async function leadsWithEmails(emails: string[]): Promise<string[]> {
  return withClient(service.database.adminUrl, async (client) =>
    (await client.query(`SELECT email FROM lead WHERE email = ANY($1)`, [emails])).rows.map((row) => row.email),
  );
}

function expectShed(answer: Answer): void {
  expect(answer.status).toBe(503);
  expect(Number(answer.raw.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect(answer.data).toBeUndefined();
  const error = errorOf(answer);
  expect(error.code).toBe("SERVICE_OVERLOADED");
  expect(error.extensions.retryAfterMs).toBeGreaterThanOrEqual(1000);
}

/** Fills the gate: one capture holding the place (waiting on the lock), one waiting for it. */
async function fillGate(tag: string): Promise<{ holder: Promise<Answer>; waiter: Promise<Answer> }> {
  await lockLeads();
  const holder = capture(`holder-${tag}@example.com`);
  await eventually(busySessions, (sessions) => sessions.some((session) => session.waiting), 10_000);
  const waiter = capture(`waiter-${tag}@example.com`);
  await eventually(() => metric("crm_admission_queued"), (line) => line.endsWith(" 1"), 10_000);
  return { holder, waiter };
}

describe("overload: shed at once, before any transaction", () => {
  it("with every place taken and the queue full, a request is answered 503 + Retry-After + SERVICE_OVERLOADED and runs no statement", async () => {
    dataOf(await caller.gql(LEADS, { first: 1 })); // the hold-time estimate has a sample
    const { holder, waiter } = await fillGate("a");

    const statementsBefore = service.statements.length;
    const sessionsBefore = await busySessions();
    const shed = [await capture("shed-a1@example.com", { "idempotency-key": "shed-a1" }), (await caller.gql(LEADS, { first: 5 })) as Answer];
    for (const answer of shed) expectShed(answer);
    // Nothing of theirs reached PostgreSQL: no statement, no session beyond the held capture.
    expect(service.statements.length).toBe(statementsBefore);
    expect(await busySessions()).toEqual(sessionsBefore);
    expect(sessionsBefore).toHaveLength(1);
    // What needs no database is never shed: composition's _service, __typename, and callers refused anyway.
    expect(dataOf(await service.post({ query: "{ _service { sdl } }" }))._service.sdl).toContain("type Lead");
    expect(dataOf(await caller.gql("{ __typename }")).__typename).toBe("Query");
    expect(errorOf(await service.post({ query: CAPTURE, variables: { input: aCapture() } })).code).toBe("UNAUTHENTICATED");

    // The waiter's wait reaches its bound while the place is still held: shed too, before any transaction.
    expectShed(await waiter);
    expect(service.statements.length).toBe(statementsBefore);

    await unlock();
    expect(dataOf(await holder).captureLead.email).toBe("holder-a@example.com");
    expect(await leadsWithEmails(["holder-a@example.com", "waiter-a@example.com", "shed-a1@example.com"])).toEqual(["holder-a@example.com"]);
    expect(await metric('crm_overload_shed_total{transport="http"}')).toBe('crm_overload_shed_total{transport="http"} 3');
    // A shed request consumed nothing, its idempotency key included: the retry executes.
    const retried = await capture("shed-a1@example.com", { "idempotency-key": "shed-a1" });
    expect(dataOf(retried).captureLead.email).toBe("shed-a1@example.com");
    expect(retried.raw.headers.get("idempotent-replayed")).toBeNull();
    // The gate is open again.
    expect(dataOf(await capture("after-a@example.com")).captureLead.email).toBe("after-a@example.com");
  }, 60_000);

  it("a queued request is admitted when the place frees up within its bound, and succeeds", async () => {
    const { holder, waiter } = await fillGate("b");
    await unlock();
    expect(dataOf(await holder).captureLead.email).toBe("holder-b@example.com");
    expect(dataOf(await waiter).captureLead.email).toBe("waiter-b@example.com");
  }, 60_000);

  it("over graphql-ws, a resume (which must read the database) is refused for its id with SERVICE_OVERLOADED; the socket and live subscriptions carry on", async () => {
    const first = dataOf(await capture("resume-point@example.com")).captureLead;
    const after = await withClient(service.database.adminUrl, async (client) =>
      (await client.query(`SELECT id FROM outbox WHERE aggregate_id = $1`, [first.id])).rows[0].id as string,
    );
    const socket = await openGraphqlSocket(service.url, caller.token);
    const live = socket.run(`subscription { leadEvents { type leadId } }`);
    const shedBefore = await metric('crm_overload_shed_total{transport="graphql-ws"}');

    const { holder, waiter } = await fillGate("c");
    const resume = socket.run(`subscription($after: ID) { leadEvents(after: $after) { eventId type leadId } }`, { after });
    await resume.until((operation) => operation.completed, 10_000);
    const codes = [...resume.errors, ...resume.results.flatMap((result) => result.errors ?? [])].map((error) => error.extensions?.code);
    expect(codes).toEqual(["SERVICE_OVERLOADED"]);
    expect(resume.results.filter((result) => result.data)).toEqual([]);
    expect(socket.closedWith).toBeNull();
    expect(shedBefore).toBe('crm_overload_shed_total{transport="graphql-ws"} 0');
    expect(await metric('crm_overload_shed_total{transport="graphql-ws"}')).toBe('crm_overload_shed_total{transport="graphql-ws"} 1');

    await unlock();
    const holderLead = dataOf(await holder).captureLead;
    await waiter;
    // The live subscription opened before the overload still gets what commits.
    await live.until((operation) => operation.results.some((result) => result.data?.leadEvents.leadId === holderLead.id), 20_000);
    // Once there is room, the same resume is served.
    const again = socket.run(`subscription($after: ID) { leadEvents(after: $after) { eventId type leadId } }`, { after });
    await again.until((operation) => operation.results.some((result) => result.data?.leadEvents.leadId === holderLead.id), 20_000);
    expect(again.errors).toEqual([]);
    await socket.dispose();
  }, 60_000);
});
