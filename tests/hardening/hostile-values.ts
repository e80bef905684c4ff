import { randomUUID } from "node:crypto";
import { Kind, parse, print, visit, type ValueNode } from "graphql";
import { aCapture, ASSIGN, CAPTURE, DELETE, LOG_ACTIVITY, LEADS, LOSE, PIPELINE, QUALIFY, TAG, UNTAG, UPDATE_CONTACT } from "../api/operations";

// The classes of values a hostile client sends to find a 500: NUL and lone
// UTF-16 surrogates in text, numbers past 32 bits and past what a double holds
// exactly, instants outside what PostgreSQL or Date can hold, and cursors
// crafted to carry all of these. Each is put, one at a time, in every
// argument and variable of every operation, as a variable and as a literal.

export const HOSTILE_TEXTS = ["\u0000", "Ada\u0000Lovelace", "\ud800", "x\udfffy", "\udc00\ud800", "ada\u0000@example.com", "+1415\u00005550123", "vip\u0000", `${"é".repeat(150)}\ud83d`];
export const HOSTILE_NUMBERS = [2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), 2 ** 64, 1e308, -1e308, 0.5];
export const HOSTILE_INSTANTS = [
  "0000-01-01T00:00:00Z",
  "0000-12-31T23:59:59.999Z",
  "-000001-01-01T00:00:00.000Z",
  "-271821-04-20T00:00:00.000Z",
  "+275760-09-13T00:00:00.000Z",
  "1969-12-31T23:59:59.999Z",
  "10000-01-01T00:00:00Z",
  "0001-01-01T00:00:00+14:00",
];
const CURSOR_POSITIONS: unknown[] = [...HOSTILE_NUMBERS, ...HOSTILE_INSTANTS, "1", "\u0000", "\ud800", null, { $gt: 0 }];

/** A cursor as this API writes them ("c1." + base64url JSON), around a hostile position. */
export function craftedCursor(ordering: string, position: unknown, id: unknown = randomUUID()): string {
  return `c1.${Buffer.from(JSON.stringify([ordering, position, id])).toString("base64url")}`;
}

/** Cursors of one ordering (the only ones that reach its range checks) carrying hostile positions and ids. */
export function hostileCursors(ordering: string): string[] {
  return [
    ...CURSOR_POSITIONS.map((position) => craftedCursor(ordering, position)),
    craftedCursor(ordering, "2026-01-01T00:00:00.000Z", "\u0000"),
    craftedCursor(ordering, 50, "\ud800"),
    `c1.${Buffer.from(`["${ordering}",1e999,"00000000-0000-0000-0000-000000000000"]`).toString("base64url")}`,
  ];
}

const HOSTILE_VALUES: unknown[] = [...HOSTILE_TEXTS, ...HOSTILE_NUMBERS, ...HOSTILE_INSTANTS];

export interface HostileCase {
  label: string;
  query: string;
  variables: Record<string, unknown>;
  /** The operation type, for transports that treat them apart. */
  kind: "query" | "mutation" | "subscription";
}

interface Operation {
  name: string;
  query: string;
  kind: HostileCase["kind"];
  variables: () => Record<string, unknown>;
  /** The ordering its `after` cursors belong to. */
  ordering?: string;
}

/** leads with every paging argument (operations.ts's LEADS pages forward only). */
export const LEADS_BOTH_WAYS = `query Leads($filter: LeadFilter, $orderBy: LeadOrder, $first: Int, $after: String, $last: Int, $before: String) {
  leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage } edges { cursor node { id score createdAt updatedAt } } } }`;
const ACTIVITIES = `query Activities($id: ID!, $first: Int, $after: String, $last: Int, $before: String) { lead(id: $id) {
  activities(first: $first, after: $after, last: $last, before: $before) { totalCount edges { cursor node { id summary occurredAt } } } } }`;
const ASSIGNED = `query Assigned($r: [_Any!]!, $first: Int, $after: String, $last: Int, $before: String) { _entities(representations: $r) {
  ... on User { assignedLeads(first: $first, after: $after, last: $last, before: $before) { totalCount edges { node { id } } } }
  ... on Lead { id name } } }`;
const EDIT_ACTIVITY = `mutation Edit($leadId: ID!, $activityId: ID!, $input: EditActivityInput!, $v: Int) {
  editLeadActivity(leadId: $leadId, activityId: $activityId, input: $input, expectedVersion: $v) { id type summary occurredAt } }`;
const DELETE_ACTIVITY = `mutation DeleteActivity($leadId: ID!, $activityId: ID!, $v: Int) { deleteLeadActivity(leadId: $leadId, activityId: $activityId, expectedVersion: $v) { id version } }`;
const IMPORT = `mutation Import($input: ImportLeadsInput!) { importLeads(input: $input) {
  imported skipped failed rows { index status existingLeadId error { code message field } lead { id } } } }`;
const MERGE = `mutation Merge($survivorId: ID!, $duplicateId: ID!, $v: Int) { mergeLeads(survivorId: $survivorId, duplicateId: $duplicateId, expectedVersion: $v) { id version } }`;
const DUPLICATES = `query Duplicates($leadId: ID!, $first: Int) { duplicateCandidates(leadId: $leadId, first: $first) { similarity reasons lead { id } } }`;
const UNASSIGN = `mutation Unassign($id: ID!, $v: Int) { unassignLead(id: $id, expectedVersion: $v) { id version } }`;
export const LEAD_EVENTS = `subscription Events($leadId: ID, $types: [LeadEventType!]) { leadEvents(leadId: $leadId, types: $types) { eventId } }`;

/** Ids of rows the operations act on (an activity of the lead, so corrections reach their checks). */
export interface Targets {
  leadId: string;
  userId: string;
  activityId: string;
}

/** Every operation the schema offers, with valid variables to spoil one at a time. */
function operations({ leadId, userId, activityId }: Targets): Operation[] {
  return [
    { name: "captureLead", query: CAPTURE, kind: "mutation", variables: () => ({ input: aCapture({ phone: "+14155550123", company: "Acme", tags: ["vip"], ownerId: userId, campaignId: randomUUID() }) }) },
    { name: "updateLeadContact", query: UPDATE_CONTACT, kind: "mutation", variables: () => ({ input: { id: leadId, name: "Ada", email: `ada.${randomUUID()}@example.com`, phone: "+14155550123", company: "Acme", expectedVersion: 1 } }) },
    { name: "assignLead", query: ASSIGN, kind: "mutation", variables: () => ({ id: leadId, ownerId: userId, v: 1 }) },
    { name: "qualifyLead", query: QUALIFY, kind: "mutation", variables: () => ({ id: leadId, value: { amountMinor: 100, currency: "EUR" }, v: 1 }) },
    { name: "markLeadLost", query: LOSE, kind: "mutation", variables: () => ({ id: leadId, reason: "budget", v: 1 }) },
    { name: "logLeadActivity", query: LOG_ACTIVITY, kind: "mutation", variables: () => ({ leadId, input: { type: "CALL", summary: "called", occurredAt: "2026-01-01T00:00:00.000Z" } }) },
    { name: "tagLead", query: TAG, kind: "mutation", variables: () => ({ id: leadId, tags: ["vip", "hot"] }) },
    { name: "untagLead", query: UNTAG, kind: "mutation", variables: () => ({ id: leadId, tags: ["vip"] }) },
    { name: "deleteLead", query: DELETE, kind: "mutation", variables: () => ({ id: randomUUID() }) },
    { name: "unassignLead", query: UNASSIGN, kind: "mutation", variables: () => ({ id: leadId, v: 1 }) },
    {
      name: "editLeadActivity",
      query: EDIT_ACTIVITY,
      kind: "mutation",
      variables: () => ({ leadId, activityId, input: { type: "MEETING", summary: "met", occurredAt: "2026-01-01T00:00:00.000Z" }, v: 1 }),
    },
    {
      name: "importLeads",
      query: IMPORT,
      kind: "mutation",
      variables: () => ({ input: { leads: [aCapture({ phone: "+14155550123", company: "Acme", tags: ["vip"], ownerId: userId, campaignId: randomUUID() })], onDuplicate: "FAIL" } }),
    },
    // The duplicate does not exist: a merge that got through would erase nothing.
    { name: "mergeLeads", query: MERGE, kind: "mutation", variables: () => ({ survivorId: leadId, duplicateId: randomUUID(), v: 1 }) },
    { name: "duplicateCandidates", query: DUPLICATES, kind: "query", variables: () => ({ leadId, first: 10 }) },
    { name: "deleteLeadActivity", query: DELETE_ACTIVITY, kind: "mutation", variables: () => ({ leadId, activityId: randomUUID(), v: 1 }) },
    {
      name: "leads",
      query: LEADS,
      kind: "query",
      variables: () => ({
        filter: { status: ["NEW"], source: ["REFERRAL"], ownerId: userId, campaignId: randomUUID(), tag: "vip", search: "ada", minScore: 10, createdAfter: "2020-01-01T00:00:00Z", createdBefore: "2030-01-01T00:00:00Z" },
        orderBy: { field: "SCORE", direction: "DESC" },
        first: 10,
        after: null,
      }),
      ordering: "SCORE:DESC",
    },
    { name: "leads backward", query: LEADS_BOTH_WAYS, kind: "query", variables: () => ({ orderBy: { field: "UPDATED_AT", direction: "ASC" }, last: 10, before: null }), ordering: "UPDATED_AT:ASC" },
    { name: "activities", query: ACTIVITIES, kind: "query", variables: () => ({ id: leadId, first: 10, after: null }), ordering: "OCCURRED_AT:DESC" },
    { name: "activities backward", query: ACTIVITIES, kind: "query", variables: () => ({ id: leadId, last: 10, before: null }), ordering: "OCCURRED_AT:DESC" },
    { name: "pipelineSummary", query: PIPELINE, kind: "query", variables: () => ({ ownerId: userId }) },
    { name: "_entities", query: ASSIGNED, kind: "query", variables: () => ({ r: [{ __typename: "User", id: userId }, { __typename: "Lead", id: leadId }], first: 10, after: null }), ordering: "CREATED_AT:DESC" },
    { name: "_entities backward", query: ASSIGNED, kind: "query", variables: () => ({ r: [{ __typename: "User", id: userId }], last: 10, before: null }), ordering: "CREATED_AT:DESC" },
    { name: "leadEvents", query: LEAD_EVENTS, kind: "subscription", variables: () => ({ leadId, types: ["LEAD_CAPTURED"] }) },
  ];
}

/** Paths to every leaf of a variables object (array items and null leaves included). */
function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leafPaths(item, [...path, i]));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...path, key]));
  return [path];
}

function withLeaf(variables: Record<string, unknown>, path: (string | number)[], leaf: unknown): Record<string, unknown> {
  const copy = structuredClone(variables);
  let at: any = copy;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path[path.length - 1]] = leaf;
  return copy;
}

/** A JSON value as a GraphQL literal (enum-looking strings as enum values, so the rest stays valid). */
function literalOf(value: unknown): ValueNode {
  if (value === null || value === undefined) return { kind: Kind.NULL };
  if (typeof value === "boolean") return { kind: Kind.BOOLEAN, value };
  if (typeof value === "number") return Number.isInteger(value) && Math.abs(value) < 1e21 ? { kind: Kind.INT, value: String(value) } : { kind: Kind.FLOAT, value: String(value) };
  if (typeof value === "string") return /^[A-Z][A-Z_]+$/.test(value) && value !== "EUR" ? { kind: Kind.ENUM, value } : { kind: Kind.STRING, value };
  if (Array.isArray(value)) return { kind: Kind.LIST, values: value.map(literalOf) };
  return {
    kind: Kind.OBJECT,
    fields: Object.entries(value as Record<string, unknown>).map(([name, item]) => ({ kind: Kind.OBJECT_FIELD, name: { kind: Kind.NAME, value: name }, value: literalOf(item) })),
  };
}

/** The same operation with every variable written inline as a literal argument. */
export function inlined(query: string, variables: Record<string, unknown>): string {
  const document = visit(parse(query), {
    VariableDefinition: () => null,
    Variable: (node) => literalOf(variables[node.name.value]),
  });
  return print(document);
}

/** Every operation with each hostile value put in each of its leaves, as a variable and inline; plus crafted cursors. */
export function hostileCases(targets: Targets): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const operation of operations(targets)) {
    const base = operation.variables();
    for (const path of leafPaths(base)) {
      const isCursor = path[path.length - 1] === "after" || path[path.length - 1] === "before";
      const cursors = isCursor && operation.ordering ? hostileCursors(operation.ordering) : [];
      for (const value of [...cursors, ...HOSTILE_VALUES]) {
        const variables = withLeaf(operation.variables(), path, value);
        const label = `${operation.name} ${path.join(".")}=${JSON.stringify(value).slice(0, 60)}`;
        cases.push({ label: `${label} (variable)`, query: operation.query, variables, kind: operation.kind });
        // Inline, text and instants meet the scalars' literal parsing (numbers there are graphql-js's own Int checks).
        if (typeof value === "string") cases.push({ label: `${label} (literal)`, query: inlined(operation.query, variables), variables: {}, kind: operation.kind });
      }
    }
  }
  // Cursors reach their range checks only under their own ordering: every ordering of leads.
  for (const [field, direction] of [["CREATED_AT", "DESC"], ["CREATED_AT", "ASC"], ["UPDATED_AT", "DESC"], ["UPDATED_AT", "ASC"], ["SCORE", "DESC"], ["SCORE", "ASC"]]) {
    for (const cursor of hostileCursors(`${field}:${direction}`)) {
      cases.push({ label: `leads ${field}:${direction} after=${cursor}`, query: LEADS, variables: { orderBy: { field, direction }, first: 5, after: cursor }, kind: "query" });
      cases.push({ label: `leads ${field}:${direction} before=${cursor}`, query: LEADS_BOTH_WAYS, variables: { orderBy: { field, direction }, last: 5, before: cursor }, kind: "query" });
    }
  }
  return cases;
}

/** What must never reach a client: a masked internal error, or internals themselves. */
export const LEAK = /INTERNAL_SERVER_ERROR|\n\s+at |node_modules|\.ts:\d|SELECT |INSERT |prisma|invalid byte sequence|out of range|22021|22P02|22008|22003/i;
