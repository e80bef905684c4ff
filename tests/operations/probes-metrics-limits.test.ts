import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE, LEADS } from "../api/operations";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";

let service: TestService;
let caller: Caller;
const base = () => service.url.replace("/graphql", "");

beforeAll(async () => {
  service = await startTestService({ REDIS_URL: "redis://127.0.0.1:1" }); // a Redis that never answers
  caller = await service.caller();
});
afterAll(() => service?.stop());

describe("probes", () => {
  it("/health answers while the process serves", async () => {
    const response = await fetch(`${base()}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok" });
  });

  it("/ready is 200 with Redis down (writes still work) and names each dependency", async () => {
    const response = await fetch(`${base()}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ postgres: "up", redis: "down" });
    expect(dataOf(await caller.gql(CAPTURE, { input: aCapture() })).captureLead.version).toBe(1);
  });
});

describe("metrics", () => {
  it("exposes request, error, SQL, event, outbox and process metrics in Prometheus format", async () => {
    await caller.gql(`query Whatever { leads { totalCount } }`);
    await caller.gql(LEADS, { first: 0 });
    const text = await (await fetch(`${base()}/metrics`)).text();
    expect(text).toMatch(/crm_graphql_request_duration_seconds_count\{operation="leads",type="query"\} \d+/);
    expect(text).toMatch(/crm_graphql_errors_total\{code="BAD_USER_INPUT"\} [1-9]/);
    expect(text).toMatch(/crm_sql_duration_seconds_count [1-9]/);
    expect(text).toMatch(/crm_domain_events_written_total [1-9]/);
    expect(text).toMatch(/crm_outbox_backlog_events [1-9]/); // Redis is down: the capture's event waits
    expect(text).toMatch(/crm_outbox_oldest_event_age_seconds \d/);
    expect(text).toContain("crm_active_subscriptions");
    expect(text).toContain("process_resident_memory_bytes");
  });

  it("reports readiness, each database pool's use and the dead-lettered count (what the alerts and the dashboard read)", async () => {
    const text = await (await fetch(`${base()}/metrics`)).text();
    expect(text).toMatch(/^crm_ready 1$/m);
    expect(text).toMatch(/^crm_db_pool_max_connections\{pool="primary"\} 10$/m);
    expect(text).toMatch(/^crm_db_pool_max_connections\{pool="outbox_relay"\} 2$/m);
    expect(text).toMatch(/^crm_db_pool_connections\{pool="primary"\} [1-9]\d*$/m);
    expect(text).toMatch(/^crm_db_pool_idle_connections\{pool="primary"\} \d+$/m);
    expect(text).toMatch(/^crm_db_pool_waiting_clients\{pool="primary"\} 0$/m);
    expect(text).toMatch(/^crm_enrichment_dead_lettered_total 0$/m);
  });

  it("keeps operation labels to the schema's root fields: clients cannot grow the series", async () => {
    for (let i = 0; i < 50; i++) await caller.gql(`query Random${i} { leads { totalCount } }`);
    await caller.gql(`{ noSuchField }`);
    const text = await (await fetch(`${base()}/metrics`)).text();
    const labels = new Set([...text.matchAll(/crm_graphql_request_duration_seconds_count\{operation="([^"]+)"/g)].map((m) => m[1]));
    expect([...labels].every((label) => ["leads", "captureLead", "other"].includes(label))).toBe(true);
    expect(text).not.toContain("Random1");
  });
});

describe("query limits", () => {
  it("refuses 1,000 aliases, deep nesting and a costly query with QUERY_TOO_COMPLEX", async () => {
    const aliases = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: pipelineSummary { totalLeads }`).join(" ")} }`;
    const deep = `{ leads { edges { node { owner { assignedLeads { edges { node { owner { assignedLeads { edges { node { owner { assignedLeads { edges { node { id } } } } } } } } } } } } } } } }`;
    const costly = `{ leads(first: 100) { edges { node { activities(first: 100) { edges { node { id summary actor { assignedLeads(first: 100) { edges { node { id } } } } } } } } } } }`;
    // Paging backward costs the same as forward.
    const costlyBackward = `{ leads(last: 100) { edges { node { activities(last: 100) { edges { node { id summary actor { assignedLeads(last: 100) { edges { node { id } } } } } } } } } } }`;
    for (const query of [aliases, deep, costly, costlyBackward]) {
      const response = await caller.gql(query);
      expect(response.status).toBe(400);
      expect(errorOf(response).code).toBe("QUERY_TOO_COMPLEX");
    }
  });

  it("lets an ordinary admin UI page through", async () => {
    const response = await caller.gql(`{ leads(first: 50) { totalCount edges { node { id name activities(first: 3) { edges { node { id } } } } } } }`);
    expect(response.errors).toBeUndefined();
  });

  it("never shows a stack, SQL or path in an error", async () => {
    const responses = [await caller.gql("{ leads(first: 1000) { totalCount } }"), await service.post("{not json", { "content-type": "application/json" })];
    for (const response of responses) {
      expect(JSON.stringify(response.errors)).not.toMatch(/\n\s+at |node_modules|SELECT |\.ts:\d/);
    }
  });
});

describe("production mode", () => {
  it("turns introspection off but still answers _service", async () => {
    const production = await startTestService({ NODE_ENV: "production" });
    try {
      const introspection = await production.post({ query: "{ __schema { types { name } } }" });
      expect(errorOf(introspection).code).toBe("GRAPHQL_VALIDATION_FAILED");
      const sdl = await production.post({ query: "{ _service { sdl } }" });
      expect(sdl.data?._service.sdl).toContain("type Lead");
    } finally {
      await production.stop();
    }
  });
});

describe("readiness when PostgreSQL stops answering", () => {
  it("/ready is 503 naming postgres, within a generous bound", async () => {
    const isolated = await startTestService();
    const admin = new Client({ connectionString: isolated.database.adminUrl.replace(/\/[^/]+$/, "/postgres") });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${isolated.database.name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [isolated.database.name]);
      const started = Date.now();
      const response = await fetch(isolated.url.replace("/graphql", "/ready"));
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ postgres: "down" });
      // The same check at scrape time: CrmSubgraphNotReady needs no one probing /ready.
      expect(await (await fetch(isolated.url.replace("/graphql", "/metrics"))).text()).toMatch(/^crm_ready 0$/m);
    } finally {
      await admin.query(`ALTER DATABASE ${isolated.database.name} ALLOW_CONNECTIONS true`);
      await admin.end();
      await isolated.stop();
    }
  });
});
