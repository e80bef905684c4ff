import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, ASSIGN, CAPTURE, QUALIFY, TAG } from "../api/operations";
import { eventually } from "../support/redis-streams";
import { subscribe } from "../support/subscriber";
import { dataOf, startTestService, TEST_JWT_SECRET, type TestService } from "../support/test-service";
import { sleep } from "./stream-checks";

// No REDIS_URL: one instance, the in-process bus.
let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.stop();
});

/** A viewer token that expires `seconds` from now. */
function tokenExpiringIn(seconds: number, tenantId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tenant_id: tenantId, roles: ["viewer"] })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + seconds)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`${what}: nothing after ${ms} ms`)))]);

// What a dashboard asks of the lead inside each event: all of it comes from the event's snapshot.
const WITH_SNAPSHOT = `subscription($leadId: ID) { leadEvents(leadId: $leadId) {
  eventId type leadId version actorId payload
  lead { id name email company status version score tags createdAt updatedAt convertedAt estimatedValue { amountMinor currency } owner { id } enrichment { domain } } } }`;

describe("subscription lifecycle (in-process bus, no REDIS_URL)", () => {
  it("a subscriber whose token expires is closed by the server with 4403; one with a valid token stays", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const longLived = await subscribe(service.url, rep.token);
    const started = Date.now();
    const shortLived = await subscribe(service.url, await tokenExpiringIn(3, rep.tenantId));

    // Accepted while the token holds: it gets events...
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    expect((await shortLived.waitFor(1))[0]).toMatchObject({ type: "LEAD_CAPTURED", leadId: lead.id });

    // ...and is closed once it expires (no 30 s clock-skew grace for a live connection).
    const closed = await withTimeout(shortLived.closed, 15_000, "waiting for the server to close the expired subscription");
    expect(closed.code).toBe(4403);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);

    dataOf(await rep.gql(TAG, { id: lead.id, tags: ["after-expiry"] }));
    const events = await longLived.waitFor(2);
    expect(events.map((e) => e.type)).toEqual(["LEAD_CAPTURED", "LEAD_TAGS_CHANGED"]);
    expect(shortLived.received).toHaveLength(1);
    await Promise.all([longLived.dispose(), shortLived.dispose()]);
  });

  it("the in-process bus delivers a mutation's events to a subscriber on the same instance, only its own tenant's", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const mine = await subscribe(service.url, rep.token);
    const otherTenant = await subscribe(service.url, (await service.caller({ roles: ["viewer"] })).token);

    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture({ source: "REFERRAL" }) })).captureLead;
    dataOf(await rep.gql(ASSIGN, { id: lead.id, ownerId: rep.userId }));
    dataOf(await rep.gql(QUALIFY, { id: lead.id, value: { amountMinor: 150_000, currency: "EUR" } }));

    const events = await mine.waitFor(4);
    expect(events.map((e) => [e.type, e.version, e.lead?.status, e.lead?.version])).toEqual([
      ["LEAD_CAPTURED", 1, "NEW", 1],
      ["LEAD_ASSIGNED", 2, "NEW", 2],
      ["LEAD_STATUS_CHANGED", 3, "QUALIFIED", 3],
      ["LEAD_SCORE_CHANGED", 3, "QUALIFIED", 3],
    ]);
    expect(events[1]).toMatchObject({ leadId: lead.id, actorId: rep.userId, payload: { from: null, to: rep.userId } });
    expect(events[3].payload).toEqual({ from: 30, to: 50 });
    await sleep(300);
    expect(mine.received).toHaveLength(4);
    expect(otherTenant.received).toEqual([]);
    await Promise.all([mine.dispose(), otherTenant.dispose()]);
  });

  it("`lead` in each event is the snapshot carried by the event: no SQL per delivered event", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture({ company: "Snapshot Co" }) })).captureLead;
    // The capture's own event is relayed asynchronously: let it go out before anyone listens.
    await eventually(() => service.service.relay.backlog(), (backlog) => backlog.unpublished === 0);
    const subscribers = await Promise.all([1, 2, 3].map(() => subscribe(service.url, rep.token, WITH_SNAPSHOT, { leadId: lead.id })));

    // The mutation's own statements, with nobody listening to this kind of change yet...
    service.statements.length = 0;
    const assigned = dataOf(await rep.gql(ASSIGN, { id: lead.id, ownerId: rep.userId })).assignLead;
    const ownStatements = service.statements.length;
    expect(ownStatements).toBeGreaterThan(0);

    // ...do not grow while three subscribers each receive the event with its lead.
    const delivered = await Promise.all(subscribers.map((s) => s.waitFor(1)));
    await sleep(300);
    expect(service.statements.length).toBe(ownStatements);
    for (const [event] of delivered) {
      expect(event).toMatchObject({
        type: "LEAD_ASSIGNED",
        version: 2,
        lead: {
          id: lead.id,
          name: lead.name,
          email: lead.email,
          company: "Snapshot Co",
          status: "NEW",
          version: 2,
          score: assigned.score,
          tags: [],
          createdAt: lead.createdAt,
          updatedAt: assigned.updatedAt,
          convertedAt: null,
          estimatedValue: null,
          owner: { id: rep.userId },
          enrichment: null,
        },
      });
    }

    // A two-event mutation: still only the mutation's own statements, however many deliveries.
    service.statements.length = 0;
    dataOf(await rep.gql(QUALIFY, { id: lead.id, value: { amountMinor: 200_000, currency: "USD" } }));
    const qualifyStatements = service.statements.length;
    const after = await Promise.all(subscribers.map((s) => s.waitFor(3)));
    await sleep(300);
    expect(service.statements.length).toBe(qualifyStatements);
    for (const events of after) {
      expect(events.slice(1).map((e) => [e.type, e.lead.status, e.lead.version, e.lead.estimatedValue])).toEqual([
        ["LEAD_STATUS_CHANGED", "QUALIFIED", 3, { amountMinor: 200_000, currency: "USD" }],
        ["LEAD_SCORE_CHANGED", "QUALIFIED", 3, { amountMinor: 200_000, currency: "USD" }],
      ]);
    }
    await Promise.all(subscribers.map((s) => s.dispose()));
  });
});
