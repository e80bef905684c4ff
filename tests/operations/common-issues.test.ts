import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { mintToken } from "../../src/infrastructure/auth/dev-token";
import { createLogger } from "../../src/infrastructure/logger";
import { Prisma } from "../../src/infrastructure/prisma/generated/client";
import { pooledReads } from "../../src/infrastructure/read-store/tenant-reads";
import { aCapture, CAPTURE, CONTACT } from "../api/operations";
import { ensureBuilt, runBuiltService } from "../support/built-service";
import { eventually } from "../support/redis-streams";
import { createStagedDatabase, type StagedDatabase } from "../support/partly-migrated-database";
import { createTestDatabase, urlFor, withClient, type TestDatabase } from "../support/test-database";
import { dataOf, errorOf, startTestService, TEST_JWT_SECRET, type TestService } from "../support/test-service";

// docs/operations.md, "Common issues": every ```text check=<id>``` block is what the service
// prints in that situation. Each check below brings the situation about for real and
// returns what the service printed (its output, log lines, an error message or an
// endpoint's body); the quoted text must appear in it, `{{...}}` standing for any value.

const root = join(__dirname, "..", "..");
const operations = readFileSync(join(root, "docs", "operations.md"), "utf8");
const section = /^## Common issues\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(operations)?.[1] ?? "";
const quoted = [...section.matchAll(/^```text check=([\w-]+)\n([\s\S]*?)\n```$/gm)].map(([, id, text]) => ({ id, text }));

/** The quoted text as a pattern: literal, except `{{...}}`, which stands for one value (a number, name, id or hash). */
function patternOf(text: string): RegExp {
  const literal = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(text.split(/\{\{[^}]*\}\}/).map(literal).join("[\\w.-]+"));
}

const serverAdminUrl = () => inject("pgAdminUrl");
const production = (databaseUrl: string) => ({ NODE_ENV: "production", HOST: "127.0.0.1", PORT: "0", DATABASE_URL: databaseUrl, JWT_SECRET: TEST_JWT_SECRET });
/** Runs the built service until it exits (a refusal at start) and returns what it printed. */
const refusalOf = async (env: Record<string, string>) => {
  const run = runBuiltService(env);
  const code = await run.exited;
  if (code !== 1) throw new Error(`expected exit code 1, got ${code}:\n${run.output()}`);
  return run.output();
};
/** Runs the built service until it has printed `text`, then stops it. */
const outputUntil = async (env: Record<string, string>, text: string) => {
  const run = runBuiltService(env);
  try {
    return await run.outputContaining(text);
  } finally {
    run.child.kill("SIGTERM");
    await run.exited;
  }
};

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let database: TestDatabase;
let service: TestService;
/** A database missing this release's last migration, and a runtime role on it. */
let behind: StagedDatabase | undefined;
/** A database a newer release migrated (one migration this release does not know). */
let ahead: StagedDatabase | undefined;
/** A login role with BYPASSRLS that owns nothing. */
let bypassRole: string | undefined;

beforeAll(async () => {
  ensureBuilt();
  database = await createTestDatabase();
  service = await startTestService({}, { database });
}, 180_000);
afterAll(async () => {
  await service?.stop();
  await withClient(serverAdminUrl(), async (client) => {
    if (bypassRole) await client.query(`DROP ROLE IF EXISTS ${bypassRole}`);
  });
  await behind?.drop();
  await ahead?.drop();
  await database?.drop();
});

const gql = (body: unknown, headers: Record<string, string> = {}) => service.post(body, headers);
const LEADS_COUNT = { query: "{ leads { totalCount } }" };
/** The errors of an answer as `CODE: message`, one a line. */
const messageOf = async (response: Promise<{ errors?: { message: string; extensions?: Record<string, unknown> }[] }>) =>
  ((await response).errors ?? []).map((error) => `${String(error.extensions?.code)}: ${error.message}`).join("\n") || "no errors";

const checks: Record<string, () => Promise<string>> = {
  "role-superuser": () => refusalOf(production(database.adminUrl)),
  "role-bypassrls": async () => {
    const suffix = randomBytes(6).toString("hex");
    bypassRole = `crm_bypass_${suffix}`;
    await withClient(serverAdminUrl(), (client) => client.query(`CREATE ROLE ${bypassRole} LOGIN BYPASSRLS PASSWORD '${suffix}'`));
    return refusalOf(production(urlFor(serverAdminUrl(), database.name, bypassRole, suffix)));
  },
  "role-warning": () => outputUntil({ ...production(database.adminUrl), NODE_ENV: "development" }, "CRM subgraph ready"),
  "migrations-missing": async () => {
    // The common case of a release: its new migration not applied (an empty database lists them all).
    behind = await createStagedDatabase("missing-last");
    return refusalOf(production(behind.runtimeUrl));
  },
  "migrations-unknown": async () => {
    ahead = await createStagedDatabase("newer");
    const lines: string[] = [];
    const started = await startTestService({}, { database: ahead, logger: createLogger("warn", { write: (line: string) => void lines.push(line) }) });
    await started.stop();
    return lines.join("\n");
  },
  "redis-down-ready": () => redisDown().then(({ ready }) => ready),
  "backlog-metric": () => redisDown().then(({ metrics }) => metrics),
  "backlog-age-metric": () => redisDown().then(({ metrics }) => metrics),
  conflict: async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    const refused = errorOf(await rep.gql(CONTACT, { id: lead.id, v: lead.version + 4 }));
    expect(refused).toMatchObject({ code: "CONFLICT", extensions: { actualVersion: lead.version } });
    return refused.message;
  },
  "too-deep": async () => {
    const admin = await service.caller();
    return messageOf(admin.gql("{ leads { edges { node { history { edges { node { lead { history { edges { node { lead { history { edges { node { eventId } } } } } } } } } } } } } } }"));
  },
  "too-costly": async () => {
    const admin = await service.caller();
    return messageOf(admin.gql("{ leads(first: 100) { edges { node { activities(first: 100) { edges { node { id summary type occurredAt } } } history(first: 100) { edges { node { eventId } } } } } } }"));
  },
  "token-missing": () => messageOf(gql(LEADS_COUNT)),
  "token-malformed": () => messageOf(gql(LEADS_COUNT, { authorization: "Token abc" })),
  "token-invalid": async () => {
    const expired = await mintToken({ secret: TEST_JWT_SECRET, tenantId: randomUUID(), userId: randomUUID(), roles: ["admin"], expiresIn: Math.floor(Date.now() / 1000) - 3600 });
    return messageOf(gql(LEADS_COUNT, { authorization: `Bearer ${expired}` }));
  },
  "token-sub": async () => {
    const token = await mintToken({ secret: TEST_JWT_SECRET, tenantId: randomUUID(), userId: "alice", roles: ["admin"] });
    return messageOf(gql(LEADS_COUNT, { authorization: `Bearer ${token}` }));
  },
  "token-tenant": async () => {
    const token = await mintToken({ secret: TEST_JWT_SECRET, tenantId: "acme", userId: randomUUID(), roles: ["admin"] });
    return messageOf(gql(LEADS_COUNT, { authorization: `Bearer ${token}` }));
  },
  "token-forbidden": async () => {
    const viewer = await service.caller({ roles: ["viewer"] });
    return messageOf(viewer.gql(CAPTURE, { input: aCapture() }));
  },
  "pgbouncer-prepared": async () => {
    // What transaction pooling does to the read side: the statement was prepared on a server
    // connection the next transaction no longer has. DEALLOCATE ALL on the one connection of the
    // pool takes it away the same way.
    const pool = new Pool({ connectionString: database.runtimeUrl, max: 1 });
    try {
      const reads = pooledReads(pool);
      const count = (tenantId: string) => reads.inTenant(tenantId, (db) => db.rows(Prisma.sql`SELECT count(*) FROM lead WHERE tenant_id = ${tenantId}::uuid`));
      const tenantId = randomUUID();
      await count(tenantId);
      await pool.query("DEALLOCATE ALL");
      return await count(tenantId).then(
        () => "the statement ran",
        (error: Error) => error.message,
      );
    } finally {
      await pool.end();
    }
  },
};

/** The extensions.code each client-facing message comes with. */
const EXPECTED_CODES: Record<string, string> = {
  "too-deep": "QUERY_TOO_COMPLEX",
  "too-costly": "QUERY_TOO_COMPLEX",
  "token-missing": "UNAUTHENTICATED",
  "token-malformed": "UNAUTHENTICATED",
  "token-invalid": "UNAUTHENTICATED",
  "token-sub": "UNAUTHENTICATED",
  "token-tenant": "UNAUTHENTICATED",
  "token-forbidden": "FORBIDDEN",
};

let redisDownOutcome: Promise<{ ready: string; metrics: string }> | undefined;
/** One service whose Redis never answers: a mutation, then /ready and /metrics. */
function redisDown() {
  redisDownOutcome ??= (async () => {
    // A database of its own: on the shared one, the other service's relay (in-process bus, polling
    // every 250 ms) publishes the event, and under load the backlog is empty before /metrics is read.
    const down = await startTestService({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    try {
      const rep = await down.caller({ roles: ["sales_rep"] });
      dataOf(await rep.gql(CAPTURE, { input: aCapture() }));
      const base = down.url.replace(/\/graphql$/, "");
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(200);
      // A scrape whose backlog query misses the probe timeout (a loaded machine) keeps the last value: scrape again.
      const backlogOf = (text: string) => Number(/^crm_outbox_backlog_events (\S+)$/m.exec(text)?.[1]);
      const metrics = await eventually(async () => (await fetch(`${base}/metrics`)).text(), (text) => backlogOf(text) >= 1);
      expect(backlogOf(metrics)).toBeGreaterThanOrEqual(1);
      return { ready: await ready.text(), metrics };
    } finally {
      await down.stop();
    }
  })();
  return redisDownOutcome;
}

describe('docs/operations.md, "Common issues"', () => {
  it("quotes messages, each with a check here, and every check is quoted", () => {
    expect(quoted.length).toBeGreaterThan(0);
    expect(quoted.map(({ id }) => id).sort()).toEqual(Object.keys(checks).sort());
  });

  it("a quote's {{...}} stands for one value, the rest is literal", () => {
    expect("The lead is at version 3, not the expected 7: reload it").toMatch(patternOf("version {{actual}}, not the expected {{expected}}: reload"));
    expect("The lead is at version 3, not the expected 7").not.toMatch(patternOf("version {{actual}} not the expected"));
    expect('prepared statement "crm_read_ab12" does not exist').toMatch(patternOf('prepared statement "crm_read_{{hash}}" does not exist'));
    expect("Query depth 13 exceeds the limit of 12").not.toMatch(patternOf("Query depth {{n}} exceeds the limit of 10"));
  });

  it.each(quoted)("$id: the service prints it", async ({ id, text }) => {
    const printed = await checks[id]();
    expect(printed).toMatch(patternOf(text));
    const code = EXPECTED_CODES[id];
    if (code) expect(printed).toMatch(new RegExp(`^${code}: ${patternOf(text).source}`, "m"));
  }, 120_000);
});
