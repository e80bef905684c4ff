// The requests of each scenario as each target spells them. The three
// spellings ask for the same data; where a target cannot say the same thing
// the closest idiomatic equivalent is used (bench/README.md lists the mapping).
import { randomUUID } from "node:crypto";
import { OWNERS, TENANTS, ownerId } from "./bench-env.mjs";
import { seededLeadId } from "./dataset.mjs";

export { seededLeadId };
const LEADS = 10_000;
/** Tenant A's lead for request i: consecutive requests spread over all 10,000 leads. */
const someLead = (i) => seededLeadId(1 + ((i * 7919) % LEADS));
/** 100 User representations: the 50 owners and 50 users who own nothing (the gateway sends both). */
const ownerIds = () => Array.from({ length: 100 }, (_, k) => (k < OWNERS ? ownerId(k) : randomUUID()));
let unique = 0;
const email = () => `bench.${process.pid}.${Date.now()}.${unique++}@capture.example`;
const now = () => new Date().toISOString();

// Writes of the mixed scenario: numbered per target across warm-up and run, so
// every write is a real change (a new activity, or a tag the lead lacks).
// Each target tags with its own prefix, so no target finds its tag already set by another.
const writes = { service: 0, postgraphile: 0, "postgraphile-crud": 0, raw: 0 };
const TAG_PREFIX = { service: "s", postgraphile: "p", "postgraphile-crud": "c", raw: "r" };
function nextWrite(target) {
  const w = writes[target]++;
  return { w, leadId: someLead(w + 5000), kind: w % 2 ? "tag" : "activity", tag: `${TAG_PREFIX[target]}-w${w}` };
}

// Increment 2a. import: 1,000 new rows per call (addresses unique per run, tidied after);
// search and duplicates: the large tenant D (100,000 leads), service only.
const IMPORT_ROWS = 1000;
const LARGE_LEADS = 100_000;
const largeLead = (i) => seededLeadId(1 + ((i * 7919) % LARGE_LEADS), TENANTS.D);
/** Search terms as a sales rep types them: name and company fragments, a mail domain, rare and common. */
const SEARCH_TERMS = ["kalo", "mira", "Tosu", "vida", "repo", "ko sa", "firm123", "firm1999.example", "labs", "gmbh", "nuka", "zzz", "bofe", "gite"];
export const LARGE_TENANT_SCENARIOS = ["search", "duplicates"];
const bulk = {
  import: () => ({
    query: `mutation($input: ImportLeadsInput!) { importLeads(input: $input) { imported skipped failed
      rows { index status existingLeadId error { code message field } lead { id score version } } } }`,
    variables: {
      input: {
        leads: Array.from({ length: IMPORT_ROWS }, (_, k) => ({
          name: `Imported ${k}`,
          email: `import.${process.pid}.${Date.now()}.${unique++}@bulk.example`,
          source: "IMPORT",
          ...(k % 2 ? { phone: `+1415${String(k).padStart(7, "0")}`, company: `Bulk ${k % 50}` } : {}),
        })),
      },
    },
  }),
  search: (i) => ({
    query: `query($f: LeadFilter) { leads(first: 20, filter: $f) { edges { node { id name email company score } } pageInfo { hasNextPage endCursor } } }`,
    variables: { f: { search: SEARCH_TERMS[i % SEARCH_TERMS.length] } },
  }),
  duplicates: (i) => ({
    query: `query($id: ID!) { duplicateCandidates(leadId: $id, first: 10) { similarity reasons lead { id name email } } }`,
    variables: { id: largeLead(i) },
  }),
};

const service = {
  ...bulk,
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
    query: `mutation($input: CaptureLeadInput!) { captureLead(input: $input) { id score version } }`,
    variables: { input: { name: "Bench Lead", email: email(), source: "WEBSITE_FORM" } },
  }),
  write: () => {
    const { w, leadId, kind, tag } = nextWrite("service");
    return kind === "tag"
      ? { query: `mutation($id: ID!, $tags: [String!]!) { tagLead(id: $id, tags: $tags) { id version } }`, variables: { id: leadId, tags: [tag] } }
      : {
          query: `mutation($id: ID!, $input: LogActivityInput!) { logLeadActivity(leadId: $id, input: $input) { id } }`,
          variables: { id: leadId, input: { type: "CALL", summary: `bench write ${w}` } },
        };
  },
};

const ENTITIES_DOCUMENT = `query(${Array.from({ length: 100 }, (_, k) => `$u${k}: UUID!`).join(", ")}) {
  ${Array.from({ length: 100 }, (_, k) => `u${k}: allLeads(condition: {ownerId: $u${k}}, first: 5, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { rowId status } }`).join("\n  ")} }`;
const postgraphile = {
  list: () => ({
    query: `{ allLeads(first: 50, orderBy: [SCORE_DESC, PRIMARY_KEY_DESC]) { totalCount nodes { rowId name email status score ownerId
      activitiesByTenantIdAndLeadId(first: 3, orderBy: [OCCURRED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { rowId type occurredAt } } } } }`,
  }),
  detail: (i) => ({
    query: `query($t: UUID!, $id: UUID!) { leadByTenantIdAndRowId(tenantId: $t, rowId: $id) { rowId name email status score
      activitiesByTenantIdAndLeadId(first: 10, orderBy: [OCCURRED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { rowId type summary occurredAt } } } }`,
    variables: { t: TENANTS.A, id: someLead(i) },
  }),
  entities: () => ({
    // No _entities in PostGraphile: one aliased connection per user is the equivalent (ids as variables, so the plan is reused).
    query: ENTITIES_DOCUMENT,
    variables: Object.fromEntries(ownerIds().map((id, k) => [`u${k}`, id])),
  }),
  // Equal work: captureLead, logLeadActivity and tagLead as PL/pgSQL functions
  // (bench/sql/postgraphile-equal-work.sql) doing what the service's commands do.
  capture: () => ({
    query: `mutation($i: CaptureLeadInput!) { captureLead(input: $i) { result { rowId score version } } }`,
    variables: { i: { name: "Bench Lead", email: email(), source: "WEBSITE_FORM" } },
  }),
  write: () => {
    const { w, leadId, kind, tag } = nextWrite("postgraphile");
    return kind === "tag"
      ? { query: `mutation($i: TagLeadInput!) { tagLead(input: $i) { result { rowId version } } }`, variables: { i: { leadId, tags: [tag] } } }
      : {
          query: `mutation($i: LogLeadActivityInput!) { logLeadActivity(input: $i) { result { rowId } } }`,
          variables: { i: { leadId, type: "CALL", summary: `bench write ${w}` } },
        };
  },
};

/**
 * PostGraphile's bare CRUD, reported beside the equal-work peer: the insert and
 * update mutations it generates, doing less than the service's commands.
 * Reads are the same as the equal-work peer's, so only capture and mixed run.
 */
const postgraphileCrud = {
  list: postgraphile.list,
  detail: postgraphile.detail,
  capture: () => ({
    // A bare insert: the client supplies id, score and timestamps; no outbox, no scoring, no normalised email.
    query: `mutation($lead: LeadInput!) { createLead(input: {lead: $lead}) { lead { rowId score version } } }`,
    variables: { lead: { tenantId: TENANTS.A, rowId: randomUUID(), name: "Bench Lead", email: email(), source: "WEBSITE_FORM", status: "NEW", score: 20, tags: [], version: 1, createdAt: now(), updatedAt: now() } },
  }),
  write: () => {
    const { w, leadId, kind, tag } = nextWrite("postgraphile-crud");
    return kind === "tag"
      ? {
          // Replaces the tags (PostGraphile's CRUD cannot append without reading first).
          query: `mutation($t: UUID!, $id: UUID!, $tags: [String]) { updateLeadByTenantIdAndRowId(input: {tenantId: $t, rowId: $id, leadPatch: {tags: $tags}}) { lead { rowId } } }`,
          variables: { t: TENANTS.A, id: leadId, tags: [tag] },
        }
      : {
          // A bare activity insert: activity_count, score, version and the outbox are not touched.
          query: `mutation($a: ActivityInput!) { createActivity(input: {activity: $a}) { activity { rowId } } }`,
          variables: { a: { tenantId: TENANTS.A, rowId: randomUUID(), leadId, type: "CALL", summary: `bench write ${w}`, occurredAt: now(), createdAt: now() } },
        };
  },
};

const raw = {
  list: () => ({ route: "list" }),
  detail: (i) => ({ route: "detail", id: someLead(i) }),
  entities: () => ({ route: "entities", ownerIds: ownerIds() }),
  capture: () => ({ route: "capture", name: "Bench Lead", email: email() }),
  write: () => {
    const { w, leadId, kind, tag } = nextWrite("raw");
    return kind === "tag" ? { route: "tag", id: leadId, tag } : { route: "activity", id: leadId, summary: `bench write ${w}` };
  },
};

// Issue 17: the tenant's pipelineSummary (the dashboard's) among writes to the same tenant
// (the mixed scenario's writes). Service only: run with BENCH_SUMMARY_CACHE=0 and =1 (the
// default) to compare (bench/README.md, Caching). summary-reads: the reads alone, half of
// them per owner (5 owners).
const SUMMARY = `query($o: ID) { pipelineSummary(ownerId: $o) { totalLeads conversionRate stages { status count estimatedValue { amountMinor currency } } } }`;
service.summary = (i) => {
  const roll = (i * 2654435761) % 100; // deterministic: 10% writes, 90% summaries
  return roll < 10 ? service.write() : { query: SUMMARY, variables: { o: null } };
};
service["summary-reads"] = (i) => ({ query: SUMMARY, variables: { o: i % 2 ? null : ownerId(i % 5) } });


export const SPELLINGS = { service, postgraphile, "postgraphile-crud": postgraphileCrud, raw };
/** Targets that run only some of the scenarios they can spell. */
const ONLY = { "postgraphile-crud": ["capture", "mixed"] };

/** Whether a target runs a scenario: the service's own operations (import, search...) have no spelling in the peers. */
export function spells(target, scenario) {
  if (ONLY[target] && !ONLY[target].includes(scenario)) return false;
  return scenario === "mixed" || typeof SPELLINGS[target]?.[scenario] === "function";
}

/** The body of request number i of a scenario, for a target. */
export function bodyFor(target, scenario, i) {
  const spell = SPELLINGS[target];
  if (scenario !== "mixed") return spell[scenario](i);
  const roll = (i * 2654435761) % 100; // deterministic: 10% writes, 45% list, 45% detail
  return roll < 10 ? spell.write() : roll < 55 ? spell.list(i) : spell.detail(i);
}
