import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { aCapture, ASSIGN, CAPTURE, CONVERT, LEAD, QUALIFY } from "../api/operations";
import { eventually, streamEventsOf, type StreamEvent } from "../support/redis-streams";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { ChildRedis, redisServerBinary, sleep, withAdmin } from "./stream-checks";

/*
 * The company directory is played by a local HTTP server. The service gets a
 * redis-server of this file's own when one is installed: the consumer group
 * `crm-enrichment` on a shared Redis would hand this file's LeadCaptured
 * messages to the consumers of other test files' services (and theirs to us).
 */
const sharedRedisUrl = inject("redisUrl");
const runnable = !!redisServerBinary || !!sharedRedisUrl;
const API_KEY = `directory-key-${randomUUID()}`;
const GROUP = "crm-enrichment";

type Answer = { status: number; body?: unknown; delayMs?: number; headers?: Record<string, string> };
/** Per domain, the answers to give in turn; the last one repeats. */
const script = new Map<string, Answer[]>();
const calls = new Map<string, number>();
let unauthorized = 0;
let directory: Server;
let ownRedis: ChildRedis | undefined;
let redisUrl: string;
let service: TestService;
let redis: Redis;
let rep: Caller;

beforeAll(async () => {
  if (!runnable) return;
  directory = createServer((req, res) => {
    const match = /^\/companies\/([^/?]+)$/.exec(req.url ?? "");
    if (req.method !== "GET" || !match) return void res.writeHead(404).end();
    if (req.headers.authorization !== `Bearer ${API_KEY}`) {
      unauthorized += 1;
      return void res.writeHead(401).end();
    }
    const domain = decodeURIComponent(match[1]);
    calls.set(domain, (calls.get(domain) ?? 0) + 1);
    const answers = script.get(domain) ?? [{ status: 404 }];
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    const timer = setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers }).end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    }, answer.delayMs ?? 0);
    res.on("close", () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => directory.listen(0, "127.0.0.1", resolve));
  const directoryUrl = `http://127.0.0.1:${(directory.address() as AddressInfo).port}`;

  if (redisServerBinary) ownRedis = await ChildRedis.start();
  redisUrl = ownRedis?.url ?? (sharedRedisUrl as string);
  // 1.5 s, not less: under a loaded machine a prompt answer can take a few hundred ms, and a
  // retry after a spurious timeout would call the directory twice (the slow answers below wait 3-4 s).
  service = await startTestService(
    { REDIS_URL: redisUrl, ENRICHMENT_API_URL: directoryUrl, ENRICHMENT_API_KEY: API_KEY, ENRICHMENT_TIMEOUT_MS: "1500" },
    { enrichmentBackoffBaseMs: 20 },
  );
  redis = new Redis(redisUrl);
  rep = await service.caller({ roles: ["sales_rep"] });
  // The consumer creates its group at "$" when it starts: capture nothing before the group is there.
  await eventually(
    async () => ((await redis.xinfo("GROUPS", "events:LeadCaptured").catch(() => [])) as unknown[][]).some((group) => group.includes(GROUP)),
    Boolean,
  );
});
afterAll(async () => {
  redis?.disconnect();
  await service?.stop();
  await ownRedis?.halt();
  directory?.closeAllConnections();
  await new Promise((resolve) => (directory ? directory.close(resolve) : resolve(undefined)));
});

const ACME = { name: "Acme Corp", employeeCount: 250, industry: "Manufacturing" };
const uniqueDomain = () => `${randomUUID().slice(0, 12)}.example`;
const readLead = async (id: string) => dataOf(await rep.gql(LEAD, { id })).lead;
const captureAt = async (domain: string, overrides: Record<string, unknown> = {}) =>
  dataOf(await rep.gql(CAPTURE, { input: aCapture({ email: `buyer.${randomUUID().slice(0, 6)}@${domain}`, ...overrides }) })).captureLead;

const streamOfLead = async (stream: string, leadId: string): Promise<StreamEvent[]> =>
  (await streamEventsOf(redis, rep.tenantId, [stream])).filter((e) => e.fields.aggregate_id === leadId);
const capturedEntry = async (leadId: string) => (await eventually(() => streamOfLead("events:LeadCaptured", leadId), (found) => found.length > 0))[0];

/** Stream ids compare as [ms, seq]. */
const notBefore = (a: string, b: string) => {
  const [am, as] = a.split("-").map(Number);
  const [bm, bs] = b.split("-").map(Number);
  return am > bm || (am === bm && as >= bs);
};

/** The group has read the entry and acknowledged it: handled, whatever the outcome. */
async function handled(entryId: string): Promise<boolean> {
  const groups = (await redis.xinfo("GROUPS", "events:LeadCaptured")) as unknown[][];
  const group = groups.find((g) => g.includes(GROUP));
  if (!group) return false;
  const lastDelivered = String(group[group.indexOf("last-delivered-id") + 1]);
  if (!notBefore(lastDelivered, entryId)) return false;
  const pending = (await redis.xpending("events:LeadCaptured", GROUP, entryId, entryId, 10)) as unknown[];
  return pending.length === 0;
}
/** crm_enrichment_dead_lettered_total of the service (the alert CrmEnrichmentDeadLetterGrowing watches it). */
const deadLettered = async () =>
  Number(/^crm_enrichment_dead_lettered_total (\d+)$/m.exec(await (await fetch(service.url.replace("/graphql", "/metrics"))).text())?.[1]);
const waitHandled = async (entryId: string) => expect(await eventually(() => handled(entryId), Boolean, 20_000)).toBe(true);

/** The lead's LeadEnriched rows in the outbox (written by the enrichment command, actor null). */
const enrichedRows = (leadId: string) =>
  withAdmin(service.database.adminUrl, async (db) =>
    (await db.query(`SELECT event_type, version, payload, actor_id FROM outbox WHERE tenant_id = $1 AND aggregate_id = $2 AND event_type = 'LeadEnriched'`, [rep.tenantId, leadId])).rows,
  );

describe.skipIf(!runnable && !process.env.CI)("company enrichment (consumer group crm-enrichment on events:LeadCaptured)", () => {
  it("200: records {domain,name,employeeCount,industry}, fills an empty company, +10 for 200+ employees, emits LEAD_ENRICHED", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 200, body: ACME }]);
    const lead = await captureAt(domain, { source: "WEBSITE_FORM" });
    expect(lead).toMatchObject({ company: null, score: 20, version: 1 });

    const enriched = await eventually(() => readLead(lead.id), (l) => l.enrichment !== null, 20_000);
    expect(enriched).toMatchObject({
      enrichment: { domain, name: "Acme Corp", employeeCount: 250, industry: "Manufacturing" },
      company: "Acme Corp",
      score: 40, // + 10 with a company (filled in), + 10 for employeeCount >= 200
      version: 2,
      status: "NEW",
    });
    expect(await enrichedRows(lead.id)).toEqual([
      { event_type: "LeadEnriched", version: 2, payload: { domain, name: "Acme Corp", employeeCount: 250, industry: "Manufacturing" }, actor_id: null },
    ]);
    const onStream = await eventually(() => streamOfLead("events:LeadEnriched", lead.id), (found) => found.length > 0);
    expect(onStream.map((e) => [e.fields.version, JSON.parse(e.fields.data)])).toEqual([
      ["2", { domain, name: "Acme Corp", employeeCount: 250, industry: "Manufacturing" }],
    ]);
    const scored = await eventually(() => streamOfLead("events:LeadScoreChanged", lead.id), (found) => found.length > 0);
    expect(scored.map((e) => [e.fields.version, JSON.parse(e.fields.data)])).toEqual([["2", { from: 20, to: 40 }]]);
    expect(calls.get(domain)).toBe(1);
    expect(unauthorized).toBe(0); // every call carried Authorization: Bearer <ENRICHMENT_API_KEY>
  });

  it("200 on a lead that has a company: the typed company stays, the score gains only the employee bonus", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 200, body: ACME }]);
    const lead = await captureAt(domain, { company: "Typed By A Person" });
    const enriched = await eventually(() => readLead(lead.id), (l) => l.enrichment !== null, 20_000);
    expect(enriched).toMatchObject({ company: "Typed By A Person", score: lead.score + 10, version: 2, enrichment: { domain, name: "Acme Corp" } });
  });

  it("404: nothing changes (and the message is acknowledged)", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 404 }]);
    const lead = await captureAt(domain);
    await waitHandled((await capturedEntry(lead.id)).id);
    expect(calls.get(domain)).toBe(1);
    expect(await readLead(lead.id)).toMatchObject({ enrichment: null, company: null, version: 1, score: lead.score });
    expect(await enrichedRows(lead.id)).toEqual([]);
  });

  it("a slow answer past ENRICHMENT_TIMEOUT_MS, then a prompt one: retried and enriched", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 200, body: ACME, delayMs: 3000 }, { status: 200, body: ACME }]);
    const lead = await captureAt(domain);
    const enriched = await eventually(() => readLead(lead.id), (l) => l.enrichment !== null, 20_000);
    expect(enriched).toMatchObject({ version: 2, enrichment: { domain } });
    expect(calls.get(domain)).toBe(2);
  });

  it("every try times out -> an events:dead-letter entry, the message acknowledged, the lead unchanged", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 200, body: ACME, delayMs: 4000 }]);
    const lead = await captureAt(domain);
    const parked = await eventually(() => streamOfLead("events:dead-letter", lead.id), (found) => found.length > 0, 20_000);
    expect(parked).toHaveLength(1);
    const captured = await capturedEntry(lead.id);
    expect(parked[0].fields).toMatchObject({ group: GROUP, source_stream: "events:LeadCaptured", source_id: captured.id, event_id: captured.fields.event_id });
    expect(parked[0].fields.error).toMatch(/timed out/);
    expect(calls.get(domain)).toBe(5);
    await waitHandled(captured.id);
    expect(await readLead(lead.id)).toMatchObject({ enrichment: null, version: 1 });
  });

  it("500 then 200: retried, enriched once", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 500 }, { status: 200, body: ACME }]);
    const lead = await captureAt(domain);
    await eventually(() => readLead(lead.id), (l) => l.enrichment !== null, 20_000);
    await waitHandled((await capturedEntry(lead.id)).id);
    expect(calls.get(domain)).toBe(2);
    expect((await readLead(lead.id)).version).toBe(2);
    expect(await enrichedRows(lead.id)).toHaveLength(1);
  });

  it("429 with Retry-After: 0, then 200: enriched", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 429, headers: { "retry-after": "0" } }, { status: 200, body: ACME }]);
    const lead = await captureAt(domain);
    const enriched = await eventually(() => readLead(lead.id), (l) => l.enrichment !== null, 20_000);
    expect(enriched).toMatchObject({ version: 2, enrichment: { domain, employeeCount: 250 } });
    expect(calls.get(domain)).toBe(2);
  });

  it("500 forever: parked on events:dead-letter after 5 tries, and acknowledged (nothing pending in crm-enrichment)", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 500 }]);
    const deadLetteredBefore = await deadLettered();
    const lead = await captureAt(domain);
    const parked = await eventually(() => streamOfLead("events:dead-letter", lead.id), (found) => found.length > 0, 20_000);
    expect(await eventually(deadLettered, (count) => count > deadLetteredBefore)).toBe(deadLetteredBefore + 1);
    const captured = await capturedEntry(lead.id);
    expect(parked).toHaveLength(1);
    expect(parked[0].fields).toMatchObject({
      group: GROUP,
      source_stream: "events:LeadCaptured",
      source_id: captured.id,
      event_type: "LeadCaptured",
      event_id: captured.fields.event_id,
      tenant_id: rep.tenantId,
      aggregate_id: lead.id,
    });
    expect(parked[0].fields.error).toMatch(/500/);
    expect(calls.get(domain)).toBe(5);
    await waitHandled(captured.id);
    const pending = (await redis.xpending("events:LeadCaptured", GROUP, "-", "+", 1000)) as [string, ...unknown[]][];
    expect(pending.map(([id]) => id)).not.toContain(captured.id);
    expect(await readLead(lead.id)).toMatchObject({ enrichment: null, version: 1 });
  });

  it("a gmail.com address: the directory is never called", async () => {
    const before = [...calls.values()].reduce((a, b) => a + b, 0);
    const lead = await captureAt("gmail.com");
    await waitHandled((await capturedEntry(lead.id)).id);
    expect(calls.get("gmail.com")).toBeUndefined();
    expect([...calls.values()].reduce((a, b) => a + b, 0)).toBe(before);
    expect(await readLead(lead.id)).toMatchObject({ enrichment: null, version: 1 });
  });

  it("a redelivered message (same event_id, XADDed again) does not enrich a second time", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 200, body: { ...ACME, name: "Once Ltd" } }]);
    const lead = await captureAt(domain);
    await eventually(() => readLead(lead.id), (l) => l.enrichment !== null, 20_000);
    const original = await capturedEntry(lead.id);
    await waitHandled(original.id);

    // Were it enriched again, this different answer would show.
    script.set(domain, [{ status: 200, body: { name: "Twice Ltd", employeeCount: 3, industry: "Other" } }]);
    const copyId = (await redis.xadd("events:LeadCaptured", "*", ...Object.entries(original.fields).flat())) as string;
    await waitHandled(copyId);
    expect(calls.get(domain)).toBe(1);
    expect(await enrichedRows(lead.id)).toHaveLength(1);
    expect(await readLead(lead.id)).toMatchObject({ version: 2, enrichment: { name: "Once Ltd" } });
    await sleep(300); // let the relay catch up, should anything have been written
    expect(await streamOfLead("events:LeadEnriched", lead.id)).toHaveLength(1);
  });

  it("a CONVERTED lead still takes a profile (data, not a status change)", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 404 }]);
    const lead = await captureAt(domain);
    await waitHandled((await capturedEntry(lead.id)).id);
    dataOf(await rep.gql(ASSIGN, { id: lead.id, ownerId: rep.userId }));
    dataOf(await rep.gql(QUALIFY, { id: lead.id, value: { amountMinor: 5_000, currency: "USD" } }));
    const converted = dataOf(await rep.gql(CONVERT, { id: lead.id })).convertLead;

    // The directory learns about the company later; a new LeadCaptured delivery (new event_id) asks again.
    script.set(domain, [{ status: 200, body: ACME }]);
    const original = await capturedEntry(lead.id);
    const fields = { ...original.fields, event_id: randomUUID() };
    const copyId = (await redis.xadd("events:LeadCaptured", "*", ...Object.entries(fields).flat())) as string;
    await waitHandled(copyId);
    expect(await readLead(lead.id)).toMatchObject({
      status: "CONVERTED",
      score: 100,
      company: "Acme Corp",
      version: converted.version + 1,
      enrichment: { domain, name: "Acme Corp", employeeCount: 250 },
    });
  });
});
