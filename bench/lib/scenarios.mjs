// The requests of each scenario, as each target spells them.
import { createHash, randomUUID } from "node:crypto";
import { TENANTS, ownerId } from "./bench-env.mjs";

/** The id the seed gave tenant A's lead number n (md5 of tenant||n as a UUID). */
export function seededLeadId(n, tenant = TENANTS.A) {
  const hex = createHash("md5").update(`${tenant}${n}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const someLead = (i) => seededLeadId(1 + ((i * 7919) % 10_000));
const ownerIds = () => Array.from({ length: 100 }, (_, i) => (i < 50 ? ownerId(i) : randomUUID()));
let unique = 0;
const email = () => `bench.${process.pid}.${Date.now()}.${unique++}@capture.example`;

const service = {
  list: () => ({
    query: `{ leads(first: 50, orderBy: {field: SCORE, direction: DESC}) { totalCount edges { node { id name email status score owner { id }
      activities(first: 3) { edges { node { id type occurredAt } } } } } } }`,
  }),
  detail: (i) => ({
    query: `query($id: ID!) { lead(id: $id) { id name email status score activities(first: 10) { edges { node { id type summary occurredAt } } } } }`,
    variables: { id: someLead(i) },
  }),
  entities: () => ({
    query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { assignedLeads(first: 5) { edges { node { id status } } } } } }`,
    variables: { r: ownerIds().map((id) => ({ __typename: "User", id })) },
  }),
  capture: () => ({
    query: `mutation($input: CaptureLeadInput!) { captureLead(input: $input) { id version } }`,
    variables: { input: { name: "Bench Lead", email: email(), source: "WEBSITE_FORM" } },
  }),
  write: (i) => ({
    query: `mutation($id: ID!, $tags: [String!]!) { tagLead(id: $id, tags: $tags) { id version } }`,
    variables: { id: someLead(i), tags: [`b${i % 1000}`] },
  }),
};

const ACTIVITY_FIELDS = `activitiesByTenantIdAndLeadId(first: $n, orderBy: [OCCURRED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { rowId type summary occurredAt } }`;
const postgraphile = {
  list: () => ({
    query: `{ allLeads(first: 50, orderBy: [SCORE_DESC, PRIMARY_KEY_DESC]) { totalCount nodes { rowId name email status score ownerId
      activitiesByTenantIdAndLeadId(first: 3, orderBy: [OCCURRED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { rowId type occurredAt } } } } }`,
  }),
  detail: (i) => ({
    query: `query($t: UUID!, $id: UUID!, $n: Int) { leadByTenantIdAndRowId(tenantId: $t, rowId: $id) { rowId name email status score ${ACTIVITY_FIELDS} } }`,
    variables: { t: TENANTS.A, id: someLead(i), n: 10 },
  }),
  entities: () => ({
    // PostGraphile has no _entities: one aliased connection per owner is the equivalent.
    query: `{ ${ownerIds().map((id, k) => `o${k}: allLeads(condition: {ownerId: "${id}"}, first: 5, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { rowId status } }`).join(" ")} }`,
  }),
  capture: () => ({
    query: `mutation($lead: LeadInput!) { createLead(input: {lead: $lead}) { lead { rowId version } } }`,
    variables: {
      lead: { tenantId: TENANTS.A, rowId: randomUUID(), name: "Bench Lead", email: email(), source: "WEBSITE_FORM", status: "NEW", score: 20, version: 1, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
    },
  }),
  write: (i) => ({
    query: `mutation($t: UUID!, $id: UUID!, $tags: [String]) { updateLeadByTenantIdAndRowId(input: {tenantId: $t, rowId: $id, leadPatch: {tags: $tags}}) { lead { rowId } } }`,
    variables: { t: TENANTS.A, id: someLead(i), tags: [`b${i % 1000}`] },
  }),
};

const raw = {
  list: () => ({ route: "list" }),
  detail: (i) => ({ route: "detail", id: someLead(i) }),
  entities: () => ({ route: "entities", ownerIds: ownerIds() }),
  capture: () => ({ route: "capture", name: "Bench Lead", email: email() }),
  write: (i) => ({ route: "tag", id: someLead(i), tag: `b${i % 1000}` }),
};

export const SPELLINGS = { service, postgraphile, raw };

/** The body of request number i of a scenario, for a target. */
export function bodyFor(target, scenario, i) {
  const spell = SPELLINGS[target];
  if (scenario !== "mixed") return spell[scenario](i);
  const roll = (i * 2654435761) % 100; // deterministic 90% reads, 10% writes
  return roll < 10 ? spell.write(i) : roll < 55 ? spell.list(i) : spell.detail(i);
}
