import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withClient } from "../support/test-database";
import { dataOf, errorOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { aCapture, CAPTURE, LEAD } from "./operations";

// RULES: Increment 2a, Import.
const IMPORT = `mutation Import($input: ImportLeadsInput!) { importLeads(input: $input) {
  imported skipped failed
  rows { index status existingLeadId error { code message field } lead { id score version } } } }`;

let service: TestService;
let admin: Caller;
let run = 0;

beforeAll(async () => {
  service = await startTestService();
  admin = await service.caller({ roles: ["admin"] });
});
afterAll(() => service?.stop());

/** `n` valid rows with addresses of this run only. */
function rows(n: number, tag = `r${++run}`) {
  return Array.from({ length: n }, (_, i) => ({ name: `Import ${tag} ${i}`, email: `${tag}.${i}.${Date.now()}@import.example`, source: "IMPORT" }));
}

async function leadsOfTenant(tenantId: string): Promise<{ id: string; email: string }[]> {
  return withClient(service.database.adminUrl, async (db) => (await db.query(`SELECT id, email FROM lead WHERE tenant_id = $1`, [tenantId])).rows);
}

async function capturedEventsOf(tenantId: string): Promise<{ aggregate_id: string; event_type: string; version: number; payload: any }[]> {
  return withClient(service.database.adminUrl, async (db) =>
    (await db.query(`SELECT aggregate_id, event_type, version, payload FROM outbox WHERE tenant_id = $1 ORDER BY seq`, [tenantId])).rows,
  );
}

describe("importLeads", () => {
  it("imports 1,000 valid rows in one call: every row IMPORTED in input order, scored like capture, one LEAD_CAPTURED each, few statements", async () => {
    const caller = await service.caller({ roles: ["sales_rep"] });
    const input = rows(1000).map((row, i) => (i % 2 ? { ...row, phone: "+1 (415) 555-0100", company: "Acme", source: "REFERRAL" } : row));
    service.statements.length = 0;
    const result = dataOf(await caller.gql(IMPORT, { input: { leads: input } })).importLeads;
    const statements = service.statements.length;
    expect(result).toMatchObject({ imported: 1000, skipped: 0, failed: 0 });
    expect(result.rows.map((row: any) => row.index)).toEqual(input.map((_, i) => i));
    expect(result.rows.every((row: any) => row.status === "IMPORTED" && row.error === null && row.existingLeadId === null)).toBe(true);
    // IMPORT 5; REFERRAL 30 + phone 10 + company 10.
    expect(result.rows[0].lead).toMatchObject({ score: 5, version: 1 });
    expect(result.rows[1].lead).toMatchObject({ score: 50, version: 1 });
    // Set-based: one INSERT of the leads, one of their events (not one round trip per row).
    expect(statements).toBeLessThanOrEqual(3);

    const stored = await leadsOfTenant(caller.tenantId);
    expect(stored).toHaveLength(1000);
    const idOfEmail = new Map(stored.map((lead) => [lead.email, lead.id]));
    expect(result.rows.map((row: any) => row.lead.id)).toEqual(input.map((row) => idOfEmail.get(row.email)));
    const events = await capturedEventsOf(caller.tenantId);
    expect(events).toHaveLength(1000);
    expect(events.every((event) => event.event_type === "LeadCaptured" && event.version === 1)).toBe(true);
    expect(events.map((event) => event.aggregate_id)).toEqual(result.rows.map((row: any) => row.lead.id));
    expect(events[1].payload).toMatchObject({ email: input[1].email, phone: "+14155550100", company: "Acme", score: 50, source: "REFERRAL" });

    const detail = dataOf(await caller.gql(LEAD, { id: result.rows[1].lead.id })).lead;
    expect(detail).toMatchObject({ name: input[1].name, email: input[1].email, phone: "+14155550100", status: "NEW", score: 50, version: 1 });
  });

  it("a mix under SKIP: bad rows FAILED with code and field, in-call and existing duplicates SKIPPED with the lead that has the address", async () => {
    const caller = await service.caller({ roles: ["admin"] });
    const existing = dataOf(await caller.gql(CAPTURE, { input: aCapture({ email: `taken.${run}@import.example` }) })).captureLead;
    const [a, b] = rows(2);
    const input = [
      a, // 0 imported
      { ...a, name: "Same address, other case", email: ` ${a.email.toUpperCase()} ` }, // 1 in-call duplicate of row 0
      { name: "Taken", email: existing.email.toUpperCase(), source: "IMPORT" }, // 2 existing duplicate
      { name: "", email: "noname@import.example", source: "IMPORT" }, // 3 bad name
      { name: "Bad mail", email: "not-an-address", source: "IMPORT" }, // 4 bad email
      { ...b, estimatedValue: { amountMinor: -1, currency: "USD" } }, // 5 bad value: b's address stays free
      b, // 6 imported (the bad row 5 claimed nothing)
      { ...b, name: "b again" }, // 7 in-call duplicate of row 6
      { name: "Bad tags", email: `tags.${run}@import.example`, source: "IMPORT", tags: ["ok", "Not OK!"] }, // 8 bad tag
    ];
    const result = dataOf(await caller.gql(IMPORT, { input: { leads: input } })).importLeads;
    expect(result).toMatchObject({ imported: 2, skipped: 3, failed: 4 });
    expect(result.imported + result.skipped + result.failed).toBe(input.length);
    const byIndex = result.rows;
    expect(byIndex.map((row: any) => [row.index, row.status])).toEqual([
      [0, "IMPORTED"], [1, "SKIPPED"], [2, "SKIPPED"], [3, "FAILED"], [4, "FAILED"], [5, "FAILED"], [6, "IMPORTED"], [7, "SKIPPED"], [8, "FAILED"],
    ]);
    expect(byIndex[1]).toMatchObject({ existingLeadId: byIndex[0].lead.id, error: null, lead: null });
    expect(byIndex[2]).toMatchObject({ existingLeadId: existing.id, error: null, lead: null });
    expect(byIndex[7]).toMatchObject({ existingLeadId: byIndex[6].lead.id });
    expect(byIndex[3].error).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
    expect(byIndex[4].error).toMatchObject({ code: "BAD_USER_INPUT", field: "email" });
    expect(byIndex[5].error).toMatchObject({ code: "BAD_USER_INPUT", field: "estimatedValue.amountMinor" });
    expect(byIndex[8].error).toMatchObject({ code: "BAD_USER_INPUT", field: "tags" });
    for (const i of [3, 4, 5, 8]) expect(byIndex[i].error.message.length).toBeGreaterThan(0);
    expect((await leadsOfTenant(caller.tenantId)).map((lead) => lead.email).sort()).toEqual([a.email, b.email, existing.email].sort());
    // One LEAD_CAPTURED per imported row (the capture's own, then the two imports).
    expect((await capturedEventsOf(caller.tenantId)).map((event) => [event.event_type, event.aggregate_id])).toEqual([
      ["LeadCaptured", existing.id],
      ["LeadCaptured", byIndex[0].lead.id],
      ["LeadCaptured", byIndex[6].lead.id],
    ]);
  });

  it("under FAIL, duplicates are FAILED with LEAD_ALREADY_EXISTS and existingLeadId", async () => {
    const caller = await service.caller({ roles: ["admin"] });
    const existing = dataOf(await caller.gql(CAPTURE, { input: aCapture() })).captureLead;
    const [a] = rows(1);
    const result = dataOf(
      await caller.gql(IMPORT, { input: { onDuplicate: "FAIL", leads: [a, { name: "Taken", email: existing.email, source: "IMPORT" }, a] } }),
    ).importLeads;
    expect(result).toMatchObject({ imported: 1, skipped: 0, failed: 2 });
    expect(result.rows[1]).toMatchObject({ status: "FAILED", existingLeadId: existing.id, error: { code: "LEAD_ALREADY_EXISTS" }, lead: null });
    expect(result.rows[2]).toMatchObject({ status: "FAILED", existingLeadId: result.rows[0].lead.id, error: { code: "LEAD_ALREADY_EXISTS" } });
  });

  it("another tenant's addresses are not duplicates", async () => {
    const other = await service.caller({ roles: ["admin"] });
    const caller = await service.caller({ roles: ["admin"] });
    const theirs = dataOf(await other.gql(CAPTURE, { input: aCapture() })).captureLead;
    const result = dataOf(await caller.gql(IMPORT, { input: { leads: [{ name: "Mine too", email: theirs.email, source: "IMPORT" }] } })).importLeads;
    expect(result).toMatchObject({ imported: 1, skipped: 0, failed: 0 });
    expect(result.rows[0].existingLeadId).toBeNull();
    expect(result.rows[0].lead.id).not.toBe(theirs.id);
    expect(await leadsOfTenant(other.tenantId)).toEqual([{ id: theirs.id, email: theirs.email }]);
  });

  it("two concurrent imports with overlapping addresses (and a capture racing them) never make a lead twice", async () => {
    const caller = await service.caller({ roles: ["admin"] });
    const shared = rows(300);
    const first = [...shared, ...rows(50)];
    const second = [...rows(50), ...[...shared].reverse()];
    const [one, two, captured] = await Promise.all([
      caller.gql(IMPORT, { input: { leads: first } }),
      caller.gql(IMPORT, { input: { leads: second } }),
      caller.gql(CAPTURE, { input: { ...shared[150], name: "Captured meanwhile" } }),
    ]);
    const a = dataOf(one).importLeads;
    const b = dataOf(two).importLeads;
    const stored = await leadsOfTenant(caller.tenantId);
    expect(stored).toHaveLength(400);
    expect(new Set(stored.map((lead) => lead.email)).size).toBe(400);
    // Each shared address went to exactly one winner; the others name that lead.
    const idOfEmail = new Map(stored.map((lead) => [lead.email, lead.id]));
    const captureWon = captured.errors === undefined;
    if (!captureWon) expect(errorOf(captured)).toMatchObject({ code: "LEAD_ALREADY_EXISTS", extensions: { existingLeadId: idOfEmail.get(shared[150].email) } });
    let winners = captureWon ? 1 : 0;
    for (const [result, input] of [[a, first], [b, second]] as const) {
      expect(result.imported + result.skipped + result.failed).toBe(input.length);
      expect(result.failed).toBe(0);
      result.rows.forEach((row: any, i: number) => {
        const id = idOfEmail.get(input[i].email.toLowerCase());
        if (row.status === "IMPORTED") expect(row.lead.id).toBe(id);
        else expect(row).toMatchObject({ status: "SKIPPED", existingLeadId: id });
      });
      winners += result.imported;
    }
    expect(winners).toBe(400);
    expect((await capturedEventsOf(caller.tenantId)).length).toBe(400);
  });

  it("refuses none or more than 1,000 rows as a whole (field leads), importing nothing", async () => {
    const caller = await service.caller({ roles: ["admin"] });
    for (const leads of [[], rows(1001)]) {
      const error = errorOf(await caller.gql(IMPORT, { input: { leads } }));
      expect(error).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "leads" } });
    }
    expect(await leadsOfTenant(caller.tenantId)).toEqual([]);
  });

  it("is for admins and sales reps: a viewer is FORBIDDEN, no token UNAUTHENTICATED", async () => {
    const viewer = await service.caller({ roles: ["viewer"] });
    expect(errorOf(await viewer.gql(IMPORT, { input: { leads: rows(1) } })).code).toBe("FORBIDDEN");
    const anonymous = await service.post({ query: IMPORT, variables: { input: { leads: rows(1) } } });
    expect(errorOf(anonymous).code).toBe("UNAUTHENTICATED");
    expect(await leadsOfTenant(viewer.tenantId)).toEqual([]);
  });
});

describe("LeadFilter.search over an imported list (trigram lookups)", () => {
  const LEADS_SEARCH = `query($f: LeadFilter, $after: String) { leads(first: 100, filter: $f, after: $after) { totalCount edges { node { id name } } pageInfo { hasNextPage endCursor } } }`;

  it("finds a rare term by id and a common one (over 1,000 matches) row by row, with the same totals and pages either way", async () => {
    const caller = await service.caller({ roles: ["admin"] });
    const leads = Array.from({ length: 1000 }, (_, i) => ({ name: `Common Person ${i}`, email: `common.${i}@search.example`, source: "IMPORT", company: i === 500 ? "Rarely Named GmbH" : null }));
    expect(dataOf(await caller.gql(IMPORT, { input: { leads } })).importLeads.imported).toBe(1000);
    const rare = dataOf(await caller.gql(LEADS_SEARCH, { f: { search: "RARELY named" } })).leads;
    expect(rare.totalCount).toBe(1);
    expect(rare.edges.map((e: any) => e.node.name)).toEqual(["Common Person 500"]);
    // Exactly 1,000 matches: still looked up by id.
    const atLimit = dataOf(await caller.gql(LEADS_SEARCH, { f: { search: "common person" } })).leads;
    expect(atLimit.totalCount).toBe(1000);
    dataOf(await caller.gql(CAPTURE, { input: { name: "Common Person 1000", email: "common.1000@search.example", source: "IMPORT" } }));
    // 1,001: matched row by row in page order.
    const common = dataOf(await caller.gql(LEADS_SEARCH, { f: { search: "common person" } })).leads;
    expect(common.totalCount).toBe(1001);
    expect(common.edges).toHaveLength(100);
    expect(common.edges[0].node.name).toBe("Common Person 1000");
    const next = dataOf(await caller.gql(LEADS_SEARCH, { f: { search: "common person" }, after: common.pageInfo.endCursor })).leads;
    expect(next.edges).toHaveLength(100);
    expect(new Set([...common.edges, ...next.edges].map((e: any) => e.node.id)).size).toBe(200);
    const digits = dataOf(await caller.gql(LEADS_SEARCH, { f: { search: "person 10" } })).leads;
    expect(digits.totalCount).toBe(12); // 10, 100..109, 1000
  });
});
