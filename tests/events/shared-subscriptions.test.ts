import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { Role } from "../../src/infrastructure/auth/principal";
import { aCapture, ASSIGN, CAPTURE, LOG_ACTIVITY } from "../api/operations";
import { openGraphqlSocket, type GraphqlSocket, type SocketOperation } from "../support/graphql-socket";
import { eventually } from "../support/redis-streams";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";

// Multiplexed live events (issue 15 §3): subscribers of one shape (document,
// variables, tenant, roles) share one execution per event; every other
// difference keeps them apart. Executions are read from the service's own
// counter, crm_subscription_executions_total, on both buses.

const redisUrl = inject("redisUrl");
const EVENTS = `subscription($leadId: ID, $types: [LeadEventType!]) { leadEvents(leadId: $leadId, types: $types) { eventId type leadId version lead { id version } } }`;

async function metric(service: TestService, name: string): Promise<number> {
  const text = await (await fetch(service.url.replace(/\/graphql$/, "/metrics"))).text();
  const line = new RegExp(`^${name} (\\d+)$`, "m").exec(text);
  if (!line) throw new Error(`${name} missing from /metrics`);
  return Number(line[1]);
}
const executions = (service: TestService) => metric(service, "crm_subscription_executions_total");
const activeSubscriptions = (service: TestService) => metric(service, "crm_active_subscriptions");

/** The events an operation received, as [type, leadId, version]. */
const eventsOf = (operation: SocketOperation) =>
  operation.results.map((result) => {
    const event = result.data.leadEvents;
    return [event.type, event.leadId, event.version] as const;
  });

/** Each lead's events, in the order received, as [type, version]: the order that must hold. */
function byLead(events: readonly (readonly [string, string, number])[]): Record<string, [string, number][]> {
  const leads: Record<string, [string, number][]> = {};
  for (const [type, leadId, version] of events) (leads[leadId] ??= []).push([type, version]);
  return leads;
}

/** Each lead's events in ascending version order (an event and the score change it causes share a version). */
function expectOrderedPerLead(operation: SocketOperation): void {
  const last = new Map<string, number>();
  for (const [, leadId, version] of eventsOf(operation)) {
    expect(version).toBeGreaterThanOrEqual(last.get(leadId) ?? 0);
    last.set(leadId, version);
  }
}

for (const bus of ["in-process", "redis"] as const) {
  describe.skipIf(bus === "redis" && !redisUrl && !process.env.CI)(`subscribers of one shape share its execution (${bus} bus)`, () => {
    let service: TestService;
    const sockets: GraphqlSocket[] = [];

    beforeAll(async () => {
      service = await startTestService(bus === "redis" ? { REDIS_URL: redisUrl as string } : {});
    });
    afterEach(async () => {
      for (const socket of sockets.splice(0)) await socket.dispose();
      // The service is this file's alone: every subscription let go before the next test reads its baseline.
      await attached(0);
    });
    afterAll(() => service?.stop());

    async function socketOf(caller: Caller): Promise<GraphqlSocket> {
      const socket = await openGraphqlSocket(service.url, caller.token);
      sockets.push(socket);
      return socket;
    }

    /** Subscribers of one tenant with `roles`, each on a socket of its own and a user of its own. */
    async function subscribers(tenantId: string, roles: Role[], count: number, variables: Record<string, unknown> = {}): Promise<SocketOperation[]> {
      const operations: SocketOperation[] = [];
      for (let k = 0; k < count; k++) operations.push((await socketOf(await service.caller({ tenantId, roles }))).run(EVENTS, variables));
      return operations;
    }

    /** Until every subscription asked for is attached: the gauge counts one when its stream started. */
    async function attached(expected: number): Promise<void> {
      expect(await eventually(() => activeSubscriptions(service), (n) => n === expected, 30_000)).toBe(expected);
    }

    it("30 subscribers of one shape (30 users of a tenant, 2 of them on one socket): one execution per event, the same events in order for all", async () => {
      const rep = await service.caller({ roles: ["sales_rep"] });
      const baseline = await activeSubscriptions(service);
      const shared = await subscribers(rep.tenantId, ["viewer"], 28);
      const twoOnOneSocket = await socketOf(await service.caller({ tenantId: rep.tenantId, roles: ["viewer"] }));
      shared.push(twoOnOneSocket.run(EVENTS), twoOnOneSocket.run(EVENTS));
      await attached(baseline + 30);
      const before = await executions(service);

      const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
      await rep.gql(ASSIGN, { id: lead.id, ownerId: rep.userId });
      dataOf(await rep.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "CALL", summary: "first call" } }));
      // Capture, assignment, the activity and the score change it causes.
      for (const operation of shared) await operation.until((op) => op.results.length >= 4, 30_000);

      const expected = eventsOf(shared[0]);
      expect(expected.map(([type]) => type)).toEqual(["LEAD_CAPTURED", "LEAD_ASSIGNED", "LEAD_ACTIVITY_LOGGED", "LEAD_SCORE_CHANGED"]);
      for (const operation of shared) {
        expect(eventsOf(operation)).toEqual(expected);
        expect(operation.errors).toEqual([]);
      }
      expectOrderedPerLead(shared[0]);
      // One per event, not one per event and subscriber (120 before multiplexing).
      expect((await executions(service)) - before).toBe(4);
    }, 120_000);

    it("different variables, roles and tenants stay separate shapes and get exactly their own events", async () => {
      const rep = await service.caller({ roles: ["sales_rep"] });
      const other = await service.caller({ roles: ["sales_rep"] });
      // The first lead's capture is published by the relay, later: a probe of another shape sees it go
      // by, so that it cannot reach the subscribers opened next.
      const baseline = await activeSubscriptions(service);
      const probeSocket = await openGraphqlSocket(service.url, rep.token);
      const probe = probeSocket.run("subscription { leadEvents { leadId } }");
      await attached(baseline + 1);
      const first = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
      await probe.until((op) => op.results.some((result) => result.data.leadEvents.leadId === first.id), 30_000);
      await probeSocket.dispose();
      await attached(baseline);
      const everything = await subscribers(rep.tenantId, ["viewer"], 3);
      const oneLead = await subscribers(rep.tenantId, ["viewer"], 3, { leadId: first.id });
      const assignments = await subscribers(rep.tenantId, ["viewer"], 3, { types: ["LEAD_ASSIGNED"] });
      const admins = await subscribers(rep.tenantId, ["admin"], 3);
      const otherTenant = await subscribers(other.tenantId, ["viewer"], 3);
      await attached(baseline + 15);
      const before = await executions(service);

      const second = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
      await rep.gql(ASSIGN, { id: first.id, ownerId: rep.userId });
      await rep.gql(ASSIGN, { id: second.id, ownerId: rep.userId });
      dataOf(await rep.gql(LOG_ACTIVITY, { leadId: first.id, input: { type: "NOTE", summary: "note" } }));
      const theirs = dataOf(await other.gql(CAPTURE, { input: aCapture() })).captureLead;

      // Capture of the second lead, two assignments, the activity and its score change. The relay keeps
      // the order per lead, not across leads: each lead's events are compared in order.
      for (const operation of [...everything, ...admins]) await operation.until((op) => op.results.length >= 5, 30_000);
      const all = eventsOf(everything[0]);
      expect(byLead(all)).toEqual({
        [first.id]: [["LEAD_ASSIGNED", 2], ["LEAD_ACTIVITY_LOGGED", 3], ["LEAD_SCORE_CHANGED", 3]],
        [second.id]: [["LEAD_CAPTURED", 1], ["LEAD_ASSIGNED", 2]],
      });
      const expectedOf = new Map<SocketOperation[], (typeof all)[number][]>([
        [everything, all],
        [admins, all],
        [oneLead, all.filter(([, leadId]) => leadId === first.id)],
        [assignments, all.filter(([type]) => type === "LEAD_ASSIGNED")],
      ]);
      for (const [group, expected] of expectedOf) {
        for (const operation of group) {
          await operation.until((op) => op.results.length >= expected.length, 30_000);
          expect(byLead(eventsOf(operation))).toEqual(byLead(expected));
          // Members of one shape received the very same stream, in the same order.
          expect(eventsOf(operation)).toEqual(eventsOf(group[0]));
        }
      }
      for (const operation of otherTenant) {
        await operation.until((op) => op.results.length >= 1, 30_000);
        expect(eventsOf(operation)).toEqual([["LEAD_CAPTURED", theirs.id, 1]]);
      }
      // Each shape executed each of its events once: 5 + 5 (admins) + 3 (one lead) + 2 (assignments) + 1 (other tenant).
      expect((await executions(service)) - before).toBe(16);
      // Nothing else arrives late to any of them.
      await rep.gql(LOG_ACTIVITY, { leadId: second.id, input: { type: "NOTE", summary: "barrier" } });
      for (const operation of everything) await operation.until((op) => op.results.length >= 7, 30_000);
      for (const [group, expected] of expectedOf) if (group !== everything && group !== admins) for (const operation of group) expect(byLead(eventsOf(operation))).toEqual(byLead(expected));
      for (const operation of otherTenant) expect(operation.results).toHaveLength(1);
    }, 120_000);

    it("one member completing and another closing its socket leave the others receiving, once per event", async () => {
      const rep = await service.caller({ roles: ["sales_rep"] });
      const baseline = await activeSubscriptions(service);
      const [completing, closing, staying, alsoStaying] = await subscribers(rep.tenantId, ["viewer"], 4);
      await attached(baseline + 4);
      const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
      for (const operation of [completing, closing, staying, alsoStaying]) await operation.until((op) => op.results.length === 1, 30_000);

      completing.stop();
      await sockets[1].dispose();
      await attached(baseline + 2);
      const before = await executions(service);
      await rep.gql(ASSIGN, { id: lead.id, ownerId: rep.userId });
      for (const operation of [staying, alsoStaying]) {
        await operation.until((op) => op.results.length === 2, 30_000);
        expect(eventsOf(operation)).toEqual([
          ["LEAD_CAPTURED", lead.id, 1],
          ["LEAD_ASSIGNED", lead.id, 2],
        ]);
      }
      expect(completing.results).toHaveLength(1);
      expect(completing.completed).toBe(true);
      expect(closing.results).toHaveLength(1);
      expect((await executions(service)) - before).toBe(1);

      // The last members leaving let go of the shape: a new subscriber starts a fresh one and gets only what follows.
      await sockets[2].dispose();
      await sockets[3].dispose();
      await attached(baseline);
      const [late] = await subscribers(rep.tenantId, ["viewer"], 1);
      await attached(baseline + 1);
      dataOf(await rep.gql(LOG_ACTIVITY, { leadId: lead.id, input: { type: "CALL", summary: "later" } }));
      await late.until((op) => op.results.length === 2, 30_000);
      expect(eventsOf(late).map(([type]) => type)).toEqual(["LEAD_ACTIVITY_LOGGED", "LEAD_SCORE_CHANGED"]);
    }, 120_000);
  });
}
