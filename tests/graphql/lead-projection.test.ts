import { randomUUID } from "node:crypto";
import { isObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEAD_FIELD_READS } from "../../src/graphql/lead-projection";
import { buildCrmSubgraphSchema } from "../../src/graphql/schema";
import { InProcessEventBus } from "../../src/infrastructure/events/in-process-event-bus";
import { aCapture, CAPTURE, LEAD_FIELDS, QUALIFY } from "../api/operations";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";

// A page of leads selects only the columns its selection reads
// (src/graphql/lead-projection.ts); the answer must be what selecting every
// column gives, whatever the selection, ordering or page.

let service: TestService;
let admin: Caller;

beforeAll(async () => {
  service = await startTestService();
  admin = await service.caller({ roles: ["admin"] });
  for (let k = 0; k < 5; k++) {
    const input = aCapture({ phone: "+14155550100", company: `Acme ${k}`, tags: ["vip", `t${k}`], ownerId: randomUUID(), campaignId: randomUUID() });
    const lead = dataOf(await admin.gql(CAPTURE, { input })).captureLead;
    if (k % 2) dataOf(await admin.gql(QUALIFY, { id: lead.id, value: { amountMinor: 1000 * k, currency: "EUR" } }));
  }
}, 60_000);
afterAll(() => service?.stop());

const FULL = `query Full($first: Int, $after: String, $orderBy: LeadOrder) {
  leads(first: $first, after: $after, orderBy: $orderBy) { pageInfo { hasNextPage endCursor } edges { cursor node { ${LEAD_FIELDS} activities(first: 2) { totalCount } } } } }`;

/** The page of leads a full selection gives, each node cut down to `keys`. */
async function expectedPage(keys: string[], variables: Record<string, unknown>) {
  const full = dataOf(await admin.gql(FULL, variables)).leads;
  return {
    pageInfo: full.pageInfo,
    edges: full.edges.map((edge: { cursor: string; node: Record<string, unknown> }) => ({
      cursor: edge.cursor,
      node: Object.fromEntries(keys.map((key) => [key, edge.node[key]])),
    })),
  };
}

/** The columns of the statement that read the page (the one selecting from lead with ORDER BY). */
function pageStatement(): string {
  const found = service.statements.find((text) => /FROM lead\s/.test(text) && /ORDER BY/.test(text));
  if (!found) throw new Error(`no page statement among ${service.statements.length}`);
  return found;
}

describe("a page of leads reads the columns its selection needs", () => {
  it("every field of Lead says what it reads (a field left out would read every column)", async () => {
    const lead = (await buildCrmSubgraphSchema(new InProcessEventBus())).getType("Lead");
    if (!isObjectType(lead)) throw new Error("no Lead type");
    expect(Object.keys(lead.getFields()).sort()).toEqual(Object.keys(LEAD_FIELD_READS).filter((name) => name !== "__typename").sort());
  });

  it.each([
    ["id and name", ["id", "name"], "id name", ["name"], ["email", "tags", "enrichment", "estimated_value_minor"]],
    ["money, tags and the owner", ["id", "estimatedValue", "tags", "owner"], "id estimatedValue { amountMinor currency } tags owner { id }", ["estimated_value_currency", "tags", "owner_id"], ["email", "enrichment", "campaign_id"]],
    ["activities' count", ["id", "activities"], "id activities(first: 2) { totalCount }", ["activity_count"], ["name", "email", "tags"]],
  ])("%s: the same answer as every column, fewer columns read", async (_name, keys, selection, read, notRead) => {
    for (const orderBy of [undefined, { field: "SCORE", direction: "DESC" }, { field: "UPDATED_AT", direction: "ASC" }]) {
      // Two pages: the cursors of a narrow read must lead where the full read's do.
      const first = await expectedPage(keys, { first: 3, orderBy });
      service.statements.length = 0;
      const narrow = dataOf(
        await admin.gql(`query N($first: Int, $after: String, $orderBy: LeadOrder) { leads(first: $first, after: $after, orderBy: $orderBy) { pageInfo { hasNextPage endCursor } edges { cursor node { ${selection} } } } }`, { first: 3, orderBy }),
      ).leads;
      const statement = pageStatement();
      expect(narrow).toEqual(first);
      for (const column of read) expect(statement).toContain(column);
      for (const column of notRead) expect(statement).not.toContain(column);
      const second = await expectedPage(keys, { first: 3, after: first.pageInfo.endCursor, orderBy });
      const narrowSecond = dataOf(
        await admin.gql(`query N($first: Int, $after: String, $orderBy: LeadOrder) { leads(first: $first, after: $after, orderBy: $orderBy) { pageInfo { hasNextPage endCursor } edges { cursor node { ${selection} } } } }`, { first: 3, after: first.pageInfo.endCursor, orderBy }),
      ).leads;
      expect(narrowSecond).toEqual(second);
      expect(second.edges).toHaveLength(2);
    }
  });

  it("fragments and conditional fields count as read", async () => {
    const expected = await expectedPage(["id", "company", "phone", "tags"], { first: 5 });
    const answer = dataOf(
      await admin.gql(
        `query C($with: Boolean!) { leads(first: 5) { pageInfo { hasNextPage endCursor } edges { cursor node { id ...Contact ... on Lead { tags @include(if: $with) } } } } }
         fragment Contact on Lead { company phone @skip(if: false) }`,
        { with: true },
      ),
    ).leads;
    expect(answer).toEqual(expected);
  });
});
