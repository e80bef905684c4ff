import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { aCapture, CAPTURE, LEADS } from "./operations";

let service: TestService;
let caller: Caller;
const SOURCES = ["WEBSITE_FORM", "REFERRAL", "PAID_AD", "SOCIAL", "EVENT"];
const TOTAL = 250;
const BASE_SCORE: Record<string, number> = { WEBSITE_FORM: 20, REFERRAL: 30, PAID_AD: 15, SOCIAL: 10, EVENT: 25 };

/** The scores the seed below produces: source points, +10 with a company. */
function expectedScores(): number[] {
  return Array.from({ length: TOTAL }, (_, n) => {
    const [batch, i] = [Math.floor(n / 10), n % 10];
    return BASE_SCORE[SOURCES[(batch + i) % SOURCES.length]] + (i % 2 ? 10 : 0);
  });
}

beforeAll(async () => {
  service = await startTestService();
  caller = await service.caller({ roles: ["sales_rep"] });
  // Ten at a time: many leads share a millisecond and a score, so ties must be broken by id.
  for (let batch = 0; batch < TOTAL / 10; batch++) {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        caller.gql(CAPTURE, { input: aCapture({ source: SOURCES[(batch + i) % SOURCES.length], company: i % 2 ? "Acme 50%_off" : null }) }),
      ),
    );
  }
}, 120_000);
afterAll(() => service?.stop());

async function walk(orderBy: Record<string, string> | undefined, first: number) {
  const seen: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const connection: any = dataOf(await caller.gql(LEADS, { orderBy, first, after })).leads;
    expect(connection.totalCount).toBe(TOTAL);
    seen.push(...connection.edges.map((edge: any) => edge.node.id));
    pages += 1;
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return { seen, pages };
}

describe("paging through 250 leads", () => {
  const orderings = [undefined, ...["CREATED_AT", "UPDATED_AT", "SCORE"].flatMap((field) => ["ASC", "DESC"].map((direction) => ({ field, direction })))];
  for (const orderBy of orderings) {
    it(`visits every lead exactly once ordered by ${orderBy ? `${orderBy.field} ${orderBy.direction}` : "default (CREATED_AT DESC)"}`, async () => {
      const { seen, pages } = await walk(orderBy, 23);
      expect(seen).toHaveLength(TOTAL);
      expect(new Set(seen).size).toBe(TOTAL);
      expect(pages).toBe(Math.ceil(TOTAL / 23));
      const oneGo = dataOf(await caller.gql(LEADS, { orderBy, first: 100 })).leads.edges.map((edge: any) => edge.node.id);
      expect(seen.slice(0, 100)).toEqual(oneGo);
    });
  }

  it("keeps the requested order, ties broken by id", async () => {
    const edges = dataOf(await caller.gql(LEADS, { orderBy: { field: "SCORE", direction: "DESC" }, first: 100 })).leads.edges;
    const nodes = edges.map((edge: any) => edge.node);
    for (let i = 1; i < nodes.length; i++) {
      const [a, b] = [nodes[i - 1], nodes[i]];
      expect(a.score > b.score || (a.score === b.score && a.id > b.id)).toBe(true);
    }
  });

  it("refuses a cursor from another ordering", async () => {
    const page = dataOf(await caller.gql(LEADS, { orderBy: { field: "SCORE", direction: "DESC" }, first: 5 })).leads;
    const error = errorOf(await caller.gql(LEADS, { orderBy: { field: "CREATED_AT", direction: "DESC" }, after: page.pageInfo.endCursor }));
    expect(error).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "after" } });
  });

  it("filters by search literally: LIKE wildcards match only themselves", async () => {
    const literal = dataOf(await caller.gql(LEADS, { filter: { search: "50%_OFF" }, first: 100 })).leads;
    expect(literal.totalCount).toBe(TOTAL / 2);
    const wildcard = dataOf(await caller.gql(LEADS, { filter: { search: "acme%off" } })).leads;
    expect(wildcard.totalCount).toBe(0);
    const underscore = dataOf(await caller.gql(LEADS, { filter: { search: "50__off" } })).leads;
    expect(underscore.totalCount).toBe(0);
  });

  it("filters by source, score and creation time", async () => {
    const referrals = dataOf(await caller.gql(LEADS, { filter: { source: ["REFERRAL"] } })).leads;
    expect(referrals.totalCount).toBe(TOTAL / SOURCES.length);
    const strong = dataOf(await caller.gql(LEADS, { filter: { minScore: 30 } })).leads;
    expect(strong.totalCount).toBe(expectedScores().filter((score) => score >= 30).length);
    const future = dataOf(await caller.gql(LEADS, { filter: { createdAfter: new Date(Date.now() + 60_000).toISOString() } })).leads;
    expect(future.totalCount).toBe(0);
    const past = dataOf(await caller.gql(LEADS, { filter: { createdBefore: new Date(Date.now() + 60_000).toISOString() } })).leads;
    expect(past.totalCount).toBe(TOTAL);
  });
});
