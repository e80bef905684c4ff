import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/redis-streams";
import { withClient } from "../support/test-database";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { aCapture, ASSIGN, CAPTURE, CONTACT, CONVERT, DELETE, QUALIFY, UPDATE_CONTACT } from "./operations";

const HISTORY = `query History($id: ID!, $first: Int, $after: String) { lead(id: $id) { id history(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { eventId type leadId version payload lead { id name status version score } } } } } }`;

let service: TestService;
let rep: Caller;

beforeAll(async () => {
  service = await startTestService();
  rep = await service.caller({ roles: ["sales_rep"] });
});
afterAll(() => service?.stop());

async function wholeLife(caller: Caller) {
  const lead = dataOf(await caller.gql(CAPTURE, { input: aCapture({ name: "Grace Hopper", source: "EVENT" }) })).captureLead;
  dataOf(await caller.gql(UPDATE_CONTACT, { input: { id: lead.id, name: "Grace B. Hopper" } }));
  dataOf(await caller.gql(ASSIGN, { id: lead.id, ownerId: caller.userId, v: 2 }));
  dataOf(await caller.gql(CONTACT, { id: lead.id, v: 3 }));
  dataOf(await caller.gql(QUALIFY, { id: lead.id, value: { amountMinor: 2_000_000, currency: "EUR" }, v: 4 }));
  dataOf(await caller.gql(CONVERT, { id: lead.id, v: 5 }));
  return lead;
}

describe("Lead.history", () => {
  it("lists a lead's whole life (capture ... convert) newest first, each node with the lead as of that event", async () => {
    const lead = await wholeLife(rep);
    const history = dataOf(await rep.gql(HISTORY, { id: lead.id, first: 100 })).lead.history;
    const nodes = history.edges.map((edge: any) => edge.node);
    expect(history.totalCount).toBe(nodes.length);
    // Newest first: versions never increase down the list, and the capture is last.
    expect(nodes.map((n: any) => n.version)).toEqual([...nodes.map((n: any) => n.version)].sort((a, b) => b - a));
    expect(nodes.at(-1)).toMatchObject({ type: "LEAD_CAPTURED", version: 1, lead: { name: "Grace Hopper", status: "NEW", version: 1 } });
    expect(nodes[0]).toMatchObject({ version: 6, lead: { status: "CONVERTED", version: 6, score: 100 } });
    expect(nodes.map((n: any) => n.type)).toEqual(
      expect.arrayContaining(["LEAD_CAPTURED", "LEAD_CONTACT_UPDATED", "LEAD_ASSIGNED", "LEAD_STATUS_CHANGED", "LEAD_SCORE_CHANGED"]),
    );
    const contactUpdate = nodes.find((n: any) => n.type === "LEAD_CONTACT_UPDATED");
    expect(contactUpdate.lead).toMatchObject({ name: "Grace B. Hopper", version: 2, status: "NEW" });
    for (const node of nodes) {
      expect(node.leadId).toBe(lead.id);
      expect(node.lead.version).toBe(node.version);
    }
  });

  it("pages newest first with totalCount, 1..100 per page, no event twice or missed", async () => {
    const lead = await wholeLife(rep);
    const all = dataOf(await rep.gql(HISTORY, { id: lead.id, first: 100 })).lead.history;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = dataOf(await rep.gql(HISTORY, { id: lead.id, first: 2, after })).lead.history;
      expect(page.totalCount).toBe(all.totalCount);
      expect(page.edges.length).toBeLessThanOrEqual(2);
      seen.push(...page.edges.map((edge: any) => edge.node.eventId));
      if (!page.pageInfo.hasNextPage) break;
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1).cursor);
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.edges.map((edge: any) => edge.node.eventId));
    expect(errorOf(await rep.gql(HISTORY, { id: lead.id, first: 0 })).code).toBe("BAD_USER_INPUT");
    expect(errorOf(await rep.gql(HISTORY, { id: lead.id, first: 101 })).code).toBe("BAD_USER_INPUT");
    expect(errorOf(await rep.gql(HISTORY, { id: lead.id, after: "not-a-cursor" })).code).toBe("BAD_USER_INPUT");
  });

  it("is erased with the lead: the deleted lead has no history, its outbox rows keep ids and types only", async () => {
    const admin = await service.caller({ tenantId: rep.tenantId, roles: ["admin"] });
    const lead = await wholeLife(admin);
    expect(dataOf(await admin.gql(DELETE, { id: lead.id })).deleteLead).toBe(lead.id);
    expect(dataOf(await admin.gql(HISTORY, { id: lead.id })).lead).toBeNull();
    // Once the relay has published LeadDeleted, nothing personal is left in the history rows.
    const rowsOf = () =>
      withClient(service.database.adminUrl, async (client) =>
        (await client.query(`SELECT payload, lead_snapshot, published_at FROM outbox WHERE aggregate_id = $1`, [lead.id])).rows,
      );
    const rows = await eventually(rowsOf, (found) => found.every((row) => row.published_at !== null && row.lead_snapshot === null));
    expect(rows.length).toBeGreaterThan(6);
    for (const row of rows) expect(JSON.stringify(row)).not.toMatch(/Grace|Hopper|@/);
  });

  it("another tenant's lead and its history are invisible", async () => {
    const lead = await wholeLife(rep);
    const stranger = await service.caller({ roles: ["admin"] });
    expect(dataOf(await stranger.gql(HISTORY, { id: lead.id })).lead).toBeNull();
  });
});
