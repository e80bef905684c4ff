import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { craftedCursor, LEADS_BOTH_WAYS } from "../hardening/hostile-values";
import { dataOf, errorOf, startTestService, type Caller, type GraphQLResponse, type TestService } from "../support/test-service";
import { aCapture, CAPTURE, LEAD, LEADS, LOG_ACTIVITY, LOSE, UPDATE_CONTACT } from "./operations";

// Client input that used to reach PostgreSQL and fail there (a 500 and an
// error log line per request) is refused as BAD_USER_INPUT naming the field.
let service: TestService;
let rep: Caller;
let leadId: string;

beforeAll(async () => {
  service = await startTestService();
  rep = await service.caller({ roles: ["sales_rep"] });
  leadId = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead.id;
});
afterAll(() => service?.stop());

function expectRefused(response: GraphQLResponse, field: string) {
  const error = errorOf(response);
  expect(error, JSON.stringify(response.errors)).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field } });
}

const ACTIVITIES = `query($id: ID!, $after: String) { lead(id: $id) { activities(after: $after) { totalCount } } }`;
const EDIT_ACTIVITY = `mutation($leadId: ID!, $activityId: ID!, $input: EditActivityInput!) { editLeadActivity(leadId: $leadId, activityId: $activityId, input: $input) { id summary occurredAt } }`;
const ASSIGNED = `query($r: [_Any!]!, $after: String) { _entities(representations: $r) { ... on User { assignedLeads(after: $after) { totalCount } } } }`;

describe("text with NUL or a lone surrogate", () => {
  it("is refused in every text input, naming the field, and nothing is written", async () => {
    expectRefused(await rep.gql(CAPTURE, { input: aCapture({ name: "Ada\u0000" }) }), "name");
    // A lone surrogate used to pass the lead's insert and fail the outbox's (22P02).
    expectRefused(await rep.gql(CAPTURE, { input: aCapture({ company: "Acme \ud800" }) }), "company");
    expectRefused(await rep.gql(UPDATE_CONTACT, { input: { id: leadId, name: "\udc00" } }), "name");
    expectRefused(await rep.gql(LOSE, { id: leadId, reason: "no\u0000budget" }), "reason");
    expectRefused(await rep.gql(LOG_ACTIVITY, { leadId, input: { type: "CALL", summary: "x\ud800y" } }), "summary");
    const lead = dataOf(await rep.gql(LEAD, { id: leadId })).lead;
    expect(lead).toMatchObject({ version: 1, status: "NEW", activities: { totalCount: 0 } });
  });

  it("is refused in a correction of an activity as in the original", async () => {
    const otherRep = await service.caller({ roles: ["sales_rep"] });
    const other = dataOf(await otherRep.gql(CAPTURE, { input: aCapture() })).captureLead;
    const activity = dataOf(await otherRep.gql(LOG_ACTIVITY, { leadId: other.id, input: { type: "CALL", summary: "called" } })).logLeadActivity;
    expectRefused(await otherRep.gql(EDIT_ACTIVITY, { leadId: other.id, activityId: activity.id, input: { summary: "re\u0000called" } }), "summary");
    expectRefused(await otherRep.gql(EDIT_ACTIVITY, { leadId: other.id, activityId: activity.id, input: { occurredAt: "0000-01-01T00:00:00Z" } }), "occurredAt");
    expect(dataOf(await otherRep.gql(LEAD, { id: other.id })).lead.activities.edges[0].node).toMatchObject({ summary: "called", occurredAt: activity.occurredAt });
    expect(dataOf(await rep.gql(LEADS, {})).leads.totalCount).toBe(1);
  });

  it("fails an imported row (and only that row) naming the field", async () => {
    const importer = await service.caller({ roles: ["sales_rep"] });
    const IMPORT = `mutation($input: ImportLeadsInput!) { importLeads(input: $input) { imported failed rows { index status error { code field } } } }`;
    const result = dataOf(await importer.gql(IMPORT, { input: { leads: [aCapture({ name: "Ada\u0000" }), aCapture({ company: "\ud800" }), aCapture()] } })).importLeads;
    expect(result).toEqual({
      imported: 1,
      failed: 2,
      rows: [
        { index: 0, status: "FAILED", error: { code: "BAD_USER_INPUT", field: "name" } },
        { index: 1, status: "FAILED", error: { code: "BAD_USER_INPUT", field: "company" } },
        { index: 2, status: "IMPORTED", error: null },
      ],
    });
  });

  it("is refused in text filters (search, tag), naming the filter", async () => {
    expectRefused(await rep.gql(LEADS, { filter: { search: "ada\u0000" } }), "search");
    expectRefused(await rep.gql(LEADS, { filter: { search: "\ud800" } }), "search");
    expectRefused(await rep.gql(LEADS, { filter: { tag: "vip\u0000" } }), "tag");
    expectRefused(await rep.gql(`{ leads(filter: { search: "a\\u0000b" }) { totalCount } }`), "search");
  });
});

describe("cursors carrying out-of-range positions", () => {
  it("are refused as BAD_USER_INPUT on after or before, whatever list they page", async () => {
    const uuid = "00000000-0000-4000-8000-000000000000";
    for (const position of [2 ** 31, -(2 ** 31) - 1, 2 ** 40, 2 ** 53 + 2]) {
      expectRefused(await rep.gql(LEADS, { orderBy: { field: "SCORE", direction: "DESC" }, after: craftedCursor("SCORE:DESC", position, uuid) }), "after");
    }
    for (const position of ["0000-01-01T00:00:00.000Z", "-271821-04-20T00:00:00.000Z", "+275760-09-13T00:00:00.000Z", "1969-12-31T23:59:59.999Z"]) {
      expectRefused(await rep.gql(LEADS, { after: craftedCursor("CREATED_AT:DESC", position, uuid) }), "after");
      expectRefused(await rep.gql(LEADS, { orderBy: { field: "UPDATED_AT", direction: "ASC" }, after: craftedCursor("UPDATED_AT:ASC", position, uuid) }), "after");
      expectRefused(await rep.gql(ACTIVITIES, { id: leadId, after: craftedCursor("OCCURRED_AT:DESC", position, uuid) }), "after");
      expectRefused(await rep.gql(ASSIGNED, { r: [{ __typename: "User", id: rep.userId }], after: craftedCursor("CREATED_AT:DESC", position, uuid) }), "after");
      expectRefused(await rep.gql(LEADS_BOTH_WAYS, { last: 5, before: craftedCursor("CREATED_AT:DESC", position, uuid) }), "before");
    }
    expectRefused(await rep.gql(LEADS_BOTH_WAYS, { orderBy: { field: "SCORE", direction: "ASC" }, last: 5, before: craftedCursor("SCORE:ASC", -(2 ** 31) - 1, uuid) }), "before");
  });

  it("within range still page (the bounds are the API's own values)", async () => {
    const uuid = "00000000-0000-4000-8000-000000000000";
    expect(dataOf(await rep.gql(LEADS, { orderBy: { field: "SCORE", direction: "DESC" }, after: craftedCursor("SCORE:DESC", 2 ** 31 - 1, uuid) })).leads.totalCount).toBe(1);
    const page = dataOf(await rep.gql(LEADS, { after: craftedCursor("CREATED_AT:DESC", "9999-12-31T23:59:59.999Z", uuid) })).leads;
    expect(page.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([leadId]);
  });
});

describe("DateTime inputs outside 1970-01-01..9999-12-31", () => {
  it("are BAD_USER_INPUT naming the field, as variables", async () => {
    expectRefused(await rep.gql(LOG_ACTIVITY, { leadId, input: { type: "CALL", summary: "s", occurredAt: "0000-01-01T00:00:00Z" } }), "occurredAt");
    expectRefused(await rep.gql(LOG_ACTIVITY, { leadId, input: { type: "CALL", summary: "s", occurredAt: "1969-12-31T23:59:59.999Z" } }), "occurredAt");
    expectRefused(await rep.gql(LEADS, { filter: { createdAfter: "-271821-04-20T00:00:00.000Z" } }), "createdAfter");
    expectRefused(await rep.gql(LEADS, { filter: { createdBefore: "+275760-09-13T00:00:00.000Z" } }), "createdBefore");
    expect(dataOf(await rep.gql(LEAD, { id: leadId })).lead.activities.totalCount).toBe(0);
  });

  it("are refused as literals too, in validation like any ill-typed literal (400, GRAPHQL_VALIDATION_FAILED)", async () => {
    const response = await rep.gql(`mutation($id: ID!) { logLeadActivity(leadId: $id, input: { type: CALL, summary: "s", occurredAt: "0000-01-01T00:00:00Z" }) { id } }`, { id: leadId });
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", message: expect.stringContaining("between 1970-01-01") });
  });

  it("at the bounds are accepted", async () => {
    const logged = dataOf(await rep.gql(LOG_ACTIVITY, { leadId, input: { type: "CALL", summary: "s", occurredAt: "1970-01-01T00:00:00Z" } })).logLeadActivity;
    expect(logged.occurredAt).toBe("1970-01-01T00:00:00.000Z");
    expect(dataOf(await rep.gql(LEADS, { filter: { createdBefore: "9999-12-31T23:59:59.999Z" } })).leads.totalCount).toBe(1);
  });
});
