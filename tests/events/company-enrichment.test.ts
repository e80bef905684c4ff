import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { aCapture, CAPTURE, LEAD } from "../api/operations";
import { eventually, streamEventsOf } from "../support/redis-streams";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";

const redisUrl = inject("redisUrl");
const API_KEY = "enrichment-test-key";

/** What the directory does for each domain: a list of answers, the last one repeating. */
type Answer = { status: number; body?: unknown; delayMs?: number; headers?: Record<string, string> };
const script = new Map<string, Answer[]>();
const calls = new Map<string, number>();
let directory: Server;
let directoryUrl: string;
let service: TestService;
let redis: Redis;
let rep: Caller;

beforeAll(async () => {
  if (!redisUrl) return;
  directory = createServer((req, res) => {
    const domain = decodeURIComponent(req.url?.replace(/^\/companies\//, "") ?? "");
    calls.set(domain, (calls.get(domain) ?? 0) + 1);
    if (req.headers.authorization !== `Bearer ${API_KEY}`) return void res.writeHead(401).end();
    const answers = script.get(domain) ?? [{ status: 404 }];
    const answer = answers.length > 1 ? (answers.shift() as Answer) : answers[0];
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers }).end(answer.body ? JSON.stringify(answer.body) : undefined);
    }, answer.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => directory.listen(0, "127.0.0.1", resolve));
  directoryUrl = `http://127.0.0.1:${(directory.address() as AddressInfo).port}`;
  service = await startTestService(
    { REDIS_URL: redisUrl, ENRICHMENT_API_URL: directoryUrl, ENRICHMENT_API_KEY: API_KEY, ENRICHMENT_TIMEOUT_MS: "300" },
    { enrichmentBackoffBaseMs: 20 },
  );
  redis = new Redis(redisUrl);
  rep = await service.caller({ roles: ["sales_rep"] });
});
afterAll(async () => {
  redis?.disconnect();
  await service?.stop();
  directory?.closeAllConnections();
  await new Promise((resolve) => directory?.close(resolve));
});

const ACME = { name: "Acme Corp", employeeCount: 250, industry: "Manufacturing" };

async function captureAt(domain: string, overrides: Record<string, unknown> = {}) {
  return dataOf(await rep.gql(CAPTURE, { input: aCapture({ email: `buyer@${domain}`, ...overrides }) })).captureLead;
}
const readLead = async (id: string) => dataOf(await rep.gql(LEAD, { id })).lead;
const uniqueDomain = () => `${randomUUID().slice(0, 8)}.example`;
const enrichedEvents = (leadId: string) =>
  streamEventsOf(redis, rep.tenantId, ["events:LeadEnriched"]).then((events) => events.filter((e) => e.fields.aggregate_id === leadId));
const deadLetters = (leadId: string) =>
  streamEventsOf(redis, rep.tenantId, ["events:dead-letter"]).then((events) => events.filter((e) => e.fields.aggregate_id === leadId));

describe.skipIf(!redisUrl && !process.env.CI)("company enrichment", () => {
  it("200: records the profile, fills an empty company, rescores and emits LEAD_ENRICHED", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 200, body: ACME }]);
    const lead = await captureAt(domain);
    const enriched = await eventually(() => readLead(lead.id), (l) => l.enrichment !== null);
    expect(enriched).toMatchObject({
      enrichment: { domain, name: "Acme Corp", employeeCount: 250, industry: "Manufacturing" },
      company: "Acme Corp",
      score: lead.score + 20, // company +10, 200+ employees +10
      version: 2,
    });
    const events = await eventually(() => enrichedEvents(lead.id), (found) => found.length === 1);
    expect(JSON.parse(events[0].fields.data)).toMatchObject({ domain, name: "Acme Corp" });
  });

  it("404: nothing changes", async () => {
    const domain = uniqueDomain();
    const lead = await captureAt(domain);
    await eventually(async () => calls.get(domain) ?? 0, (n) => n >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await readLead(lead.id)).toMatchObject({ enrichment: null, version: 1 });
  });

  it("500 then 200, and 429 with Retry-After then 200: retried, enriched once", async () => {
    for (const first of [{ status: 500 }, { status: 429, headers: { "retry-after": "0" } }]) {
      const domain = uniqueDomain();
      script.set(domain, [first, { status: 200, body: ACME }]);
      const lead = await captureAt(domain);
      await eventually(() => readLead(lead.id), (l) => l.enrichment !== null);
      expect(calls.get(domain)).toBe(2);
      expect((await readLead(lead.id)).version).toBe(2);
    }
  });

  it("a slow answer past the timeout is retried", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 200, body: ACME, delayMs: 1500 }, { status: 200, body: ACME }]);
    const lead = await captureAt(domain);
    await eventually(() => readLead(lead.id), (l) => l.enrichment !== null);
    expect(calls.get(domain)).toBe(2);
  });

  it("500 forever: parked on events:dead-letter after 5 tries, and acknowledged", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 500 }]);
    const lead = await captureAt(domain);
    const parked = await eventually(() => deadLetters(lead.id), (found) => found.length === 1);
    expect(parked[0].fields).toMatchObject({ event_type: "LeadCaptured", group: "crm-enrichment" });
    expect(calls.get(domain)).toBe(5);
    const pending = (await redis.xpending("events:LeadCaptured", "crm-enrichment")) as [number, ...unknown[]];
    const stillPending = pending[0] > 0 ? ((await redis.xpending("events:LeadCaptured", "crm-enrichment", "-", "+", 1000)) as [string][]) : [];
    const capturedId = (await streamEventsOf(redis, rep.tenantId, ["events:LeadCaptured"])).find((e) => e.fields.aggregate_id === lead.id)?.id;
    expect(stillPending.map(([id]) => id)).not.toContain(capturedId);
    expect((await readLead(lead.id)).enrichment).toBeNull();
  });

  it("free-mail domains are never looked up", async () => {
    const lead = await captureAt("gmail.com", { email: `someone.${randomUUID().slice(0, 6)}@gmail.com` });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(calls.get("gmail.com")).toBeUndefined();
    expect((await readLead(lead.id)).enrichment).toBeNull();
  });

  it("a redelivered message does not enrich twice", async () => {
    const domain = uniqueDomain();
    script.set(domain, [{ status: 200, body: { ...ACME, name: "Once Ltd" } }]);
    const lead = await captureAt(domain);
    await eventually(() => enrichedEvents(lead.id), (found) => found.length === 1);
    const [original] = (await streamEventsOf(redis, rep.tenantId, ["events:LeadCaptured"])).filter((e) => e.fields.aggregate_id === lead.id);
    script.set(domain, [{ status: 200, body: { ...ACME, name: "Twice Ltd", employeeCount: 9 } }]);
    await redis.xadd("events:LeadCaptured", "*", ...Object.entries(original.fields).flat());
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await enrichedEvents(lead.id)).toHaveLength(1);
    expect((await readLead(lead.id)).enrichment.name).toBe("Once Ltd");
  });
});
