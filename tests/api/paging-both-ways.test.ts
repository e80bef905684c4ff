import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { aCapture, CAPTURE, CONTACT, LOG_ACTIVITY } from "./operations";

// RULES, Increment 2a, "Paging both ways": every connection, forward and back.

interface PageArgs {
  first?: number;
  after?: string | null;
  last?: number;
  before?: string | null;
}
interface Connection {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}
type Fetch = (args: PageArgs) => Promise<Connection>;

const PAGE_INFO = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;
const LEADS = `query($filter: LeadFilter, $orderBy: LeadOrder, $first: Int, $after: String, $last: Int, $before: String) {
  leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount ${PAGE_INFO} edges { cursor node { id } } } }`;
const ASSIGNED = `query($r: [_Any!]!, $status: [LeadStatus!], $first: Int, $after: String, $last: Int, $before: String) {
  _entities(representations: $r) { ... on User {
    assignedLeads(status: $status, first: $first, after: $after, last: $last, before: $before) { ${PAGE_INFO} edges { cursor node { id } } } } } }`;
const ACTIVITIES = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  lead(id: $id) { activities(first: $first, after: $after, last: $last, before: $before) { totalCount ${PAGE_INFO} edges { cursor node { id } } } } }`;

const LEADS_TOTAL = 264;
const ACTIVITIES_TOTAL = 255;
const SOURCES = ["WEBSITE_FORM", "REFERRAL", "PAID_AD", "SOCIAL", "EVENT", "COLD_OUTREACH"];

let service: TestService;
let rep: Caller;
let activityLeadId: string;
const contacted = new Set<string>();

beforeAll(async () => {
  service = await startTestService();
  rep = await service.caller({ roles: ["sales_rep"] });
  // Twelve at a time: many leads share a millisecond and a score, so ties must be broken by id both ways.
  for (let batch = 0; batch < LEADS_TOTAL / 12; batch++) {
    const leads = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        rep.gql(CAPTURE, { input: aCapture({ source: SOURCES[(batch + i) % SOURCES.length], company: i % 2 ? "Acme" : null, ownerId: rep.userId }) }),
      ),
    );
    const ids = leads.map((response) => dataOf(response).captureLead.id as string);
    await Promise.all(ids.filter((_, i) => i % 3 === 0).map(async (id) => {
      dataOf(await rep.gql(CONTACT, { id }));
      contacted.add(id);
    }));
  }
  activityLeadId = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead.id;
  // Three activities per minute: ties on occurredAt, broken by id.
  const base = Date.now() - 24 * 3600_000;
  for (let batch = 0; batch < ACTIVITIES_TOTAL / 15; batch++) {
    await Promise.all(
      Array.from({ length: 15 }, (_, i) => {
        const n = batch * 15 + i;
        const occurredAt = new Date(base + Math.floor(n / 3) * 60_000).toISOString();
        return rep.gql(LOG_ACTIVITY, { leadId: activityLeadId, input: { type: "CALL", summary: `call ${n}`, occurredAt } }).then(dataOf);
      }),
    );
  }
}, 180_000);
afterAll(() => service?.stop());

const leadsPage = (variables: Record<string, unknown>): Fetch => async (args) =>
  dataOf(await rep.gql(LEADS, { ...variables, ...args })).leads;
const assignedPage = (status?: string[]): Fetch => async (args) =>
  dataOf(await rep.gql(ASSIGNED, { r: [{ __typename: "User", id: rep.userId }], status, ...args }))._entities[0].assignedLeads;
const activitiesPage: Fetch = async (args) => dataOf(await rep.gql(ACTIVITIES, { id: activityLeadId, ...args })).lead.activities;

const idsOf = (page: Connection) => page.edges.map((edge) => edge.node.id);

/** startCursor/endCursor are the first/last edge's cursors, null on an empty page. */
function expectCursorsOfEdges(page: Connection) {
  expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
  expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
}

async function walkForward(fetch: Fetch, size: number): Promise<Connection[]> {
  const pages: Connection[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page: Connection = await fetch({ first: size, after });
    pages.push(page);
    if (!page.pageInfo.hasNextPage) return pages;
    after = page.pageInfo.endCursor;
  }
  throw new Error("the forward walk never ended");
}

async function walkBackward(fetch: Fetch, size: number): Promise<Connection[]> {
  const pages: Connection[] = [];
  let before: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page: Connection = await fetch({ last: size, before });
    pages.push(page);
    if (!page.pageInfo.hasPreviousPage) return pages;
    before = page.pageInfo.startCursor;
  }
  throw new Error("the backward walk never ended");
}

/** Both walks, their page info at both ends and in the middle, mixed directions and the empty pages past both ends. */
async function expectPagingBothWays(fetch: Fetch, total: number, size = 23) {
  const forward = await walkForward(fetch, size);
  const sequence = forward.flatMap(idsOf);
  expect(sequence).toHaveLength(total);
  expect(new Set(sequence).size).toBe(total);
  expect(forward).toHaveLength(Math.ceil(total / size));
  forward.forEach((page, i) => {
    expect(page.pageInfo.hasPreviousPage).toBe(i > 0);
    expect(page.pageInfo.hasNextPage).toBe(i < forward.length - 1);
    expectCursorsOfEdges(page);
  });

  const backward = await walkBackward(fetch, size);
  // Walking back from the end yields exactly the forward sequence reversed.
  expect(backward.flatMap((page) => idsOf(page).reverse())).toEqual([...sequence].reverse());
  expect(backward.flatMap(idsOf).length).toBe(total);
  backward.forEach((page, j) => {
    expect(page.pageInfo.hasNextPage).toBe(j > 0);
    expect(page.pageInfo.hasPreviousPage).toBe(j < backward.length - 1);
    expect(page.edges.length).toBe(j < backward.length - 1 ? size : total - size * (backward.length - 1));
    expectCursorsOfEdges(page);
  });

  // Mixed: forward to the middle, then back from there, then forward again.
  const m = Math.floor(forward.length / 2);
  const middle = forward[m];
  const back = await fetch({ last: size, before: middle.pageInfo.startCursor });
  expect(idsOf(back)).toEqual(idsOf(forward[m - 1]));
  expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: m - 1 > 0 });
  const endOfMiddle = sequence.indexOf(idsOf(middle).at(-1) as string);
  const shortBack = await fetch({ last: 7, before: middle.pageInfo.endCursor });
  expect(idsOf(shortBack)).toEqual(sequence.slice(endOfMiddle - 7, endOfMiddle));
  expect(shortBack.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  const onward = await fetch({ first: 5, after: shortBack.pageInfo.startCursor });
  expect(idsOf(onward)).toEqual(sequence.slice(endOfMiddle - 6, endOfMiddle - 1));
  expect(onward.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  // A backward page's cursor pages forward, and a forward page's backward: the same positions.
  const again = await fetch({ first: size, after: back.pageInfo.endCursor });
  expect(idsOf(again)).toEqual(idsOf(middle));

  // The first page backward is the end: last N, nothing after it.
  const tail = await fetch({ last: 3 });
  expect(idsOf(tail)).toEqual(sequence.slice(-3));
  expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

  // Past both ends: empty pages that say what lies on the other side of the cursor.
  const lastCursor = forward.at(-1)?.pageInfo.endCursor as string;
  const firstCursor = forward[0].pageInfo.startCursor as string;
  const pastEnd = await fetch({ first: 5, after: lastCursor });
  expect(pastEnd.edges).toEqual([]);
  expect(pastEnd.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
  const beforeStart = await fetch({ last: 5, before: firstCursor });
  expect(beforeStart.edges).toEqual([]);
  expect(beforeStart.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null });
  // The first item seen from behind it: nothing precedes it, the rest follows.
  const fromFirst = await fetch({ first: 2, after: firstCursor });
  expect(idsOf(fromFirst)).toEqual(sequence.slice(1, 3));
  expect(fromFirst.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  const toLast = await fetch({ last: 2, before: lastCursor });
  expect(idsOf(toLast)).toEqual(sequence.slice(-3, -1));
  expect(toLast.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  return sequence;
}

describe("leads: paging both ways over the tenant's 265 leads", () => {
  const orderings = [undefined, ...["CREATED_AT", "UPDATED_AT", "SCORE"].flatMap((field) => ["ASC", "DESC"].map((direction) => ({ field, direction })))];
  for (const orderBy of orderings) {
    it(`walks forward and back to the same sequence, ordered by ${orderBy ? `${orderBy.field} ${orderBy.direction}` : "default"}`, async () => {
      // The owned leads and the one holding the activities.
      await expectPagingBothWays(leadsPage({ orderBy }), LEADS_TOTAL + 1);
    });
  }

  it("walks a filtered list both ways (source and company filter), ordered by score", async () => {
    const filter = { source: ["REFERRAL", "EVENT", "SOCIAL", "PAID_AD"], search: "acme" };
    const { totalCount } = dataOf(await rep.gql(LEADS, { filter, first: 1 })).leads;
    expect(totalCount).toBeGreaterThan(40);
    await expectPagingBothWays(leadsPage({ filter, orderBy: { field: "SCORE", direction: "DESC" } }), totalCount, 9);
  });

  it("gives first 20 when neither first nor last is given, and the last 20 for before alone", async () => {
    const page = await leadsPage({})({});
    expect(page.edges).toHaveLength(20);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const twentySixth = (await leadsPage({})({ first: 30 })).edges[25];
    const back = await leadsPage({})({ before: twentySixth.cursor });
    expect(idsOf(back)).toEqual(idsOf(await leadsPage({})({ first: 25 })).slice(5));
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });
});

describe("User.assignedLeads: paging both ways", () => {
  it("walks an owner's 264 leads both ways", async () => {
    await expectPagingBothWays(assignedPage(), LEADS_TOTAL);
  });

  it("walks a status filter both ways", async () => {
    const sequence = await expectPagingBothWays(assignedPage(["CONTACTED"]), contacted.size, 11);
    expect(new Set(sequence)).toEqual(contacted);
  });
});

describe("Lead.activities: paging both ways", () => {
  it("walks 255 activities both ways (newest first, ties on occurredAt broken by id)", async () => {
    await expectPagingBothWays(activitiesPage, ACTIVITIES_TOTAL);
  });

  it("pages backward the same through the look-ahead of a list, the per-lead batch and the detail", async () => {
    const args = { last: 4, before: (await activitiesPage({ first: 10 })).pageInfo.endCursor };
    const detail = await activitiesPage(args);
    const listed = dataOf(
      await rep.gql(
        `query($last: Int, $before: String) { leads(first: 100) { edges { node { id activities(last: $last, before: $before) { ${PAGE_INFO} edges { node { id } } } } } } }`,
        args,
      ),
    ).leads.edges.find((edge: any) => edge.node.id === activityLeadId).node.activities;
    const batched = dataOf(
      await rep.gql(
        `query($r: [_Any!]!, $last: Int, $before: String) { _entities(representations: $r) { ... on Lead { activities(last: $last, before: $before) { ${PAGE_INFO} edges { node { id } } } } } }`,
        { r: [{ __typename: "Lead", id: activityLeadId }], ...args },
      ),
    )._entities[0].activities;
    for (const page of [listed, batched]) {
      expect(page.edges.map((edge: any) => edge.node.id)).toEqual(idsOf(detail));
      expect(page.pageInfo).toEqual(detail.pageInfo);
    }
    expect(detail.edges).toHaveLength(4);
    expect(detail.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });
});

describe("bad paging arguments: BAD_USER_INPUT naming the argument", () => {
  const connections: [string, () => Fetch][] = [
    ["leads", () => leadsPage({})],
    ["assignedLeads", () => assignedPage()],
    ["activities", () => activitiesPage],
  ];
  for (const [name, fetchOf] of connections) {
    it(`${name}: every refused combination and range`, async () => {
      const fetch = fetchOf();
      const cursor = (await fetch({ first: 1 })).pageInfo.endCursor as string;
      const cases: [PageArgs, string][] = [
        [{ first: 5, last: 5 }, "last"],
        [{ after: cursor, last: 5 }, "last"],
        [{ before: cursor, first: 5 }, "first"],
        [{ after: cursor, before: cursor }, "before"],
        [{ last: 0 }, "last"],
        [{ last: 101 }, "last"],
        [{ last: -1, before: cursor }, "last"],
        [{ first: 0 }, "first"],
        [{ first: 101 }, "first"],
        [{ before: "not-a-cursor" }, "before"],
        [{ last: 5, before: "c1.bm9wZQ" }, "before"],
        [{ after: "not-a-cursor" }, "after"],
      ];
      for (const [args, field] of cases) {
        const error = await fetch(args).then(
          () => null,
          (failure: Error) => failure.message,
        );
        expect(error, JSON.stringify(args)).toContain('"BAD_USER_INPUT"');
        expect(error, JSON.stringify(args)).toContain(`"field":"${field}"`);
      }
    });
  }

  it("refuses a cursor of another ordering backward too (field before)", async () => {
    const byScore = await leadsPage({ orderBy: { field: "SCORE", direction: "DESC" } })({ first: 3 });
    const error = errorOf(await rep.gql(LEADS, { orderBy: { field: "SCORE", direction: "ASC" }, last: 3, before: byScore.pageInfo.endCursor }));
    expect(error).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "before" } });
    const activityCursor = (await activitiesPage({ first: 1 })).pageInfo.endCursor;
    const crossed = errorOf(await rep.gql(LEADS, { last: 3, before: activityCursor }));
    expect(crossed).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "before" } });
  });
});
