import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE, DELETE, LEAD, TAG } from "../api/operations";
import { eventually } from "../support/redis-streams";
import { withClient } from "../support/test-database";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";

// RULES "Increment 2b", idempotency keys: over HTTP against the real service
// and PostgreSQL; what ran is read back from the tables as the superuser.

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service?.stop());

interface RawAnswer {
  status: number;
  text: string;
  replayed: string | null;
  json: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] };
}

/** POSTs with an Idempotency-Key (or none) and keeps the answer's exact bytes. */
async function send(caller: Caller, key: string | null, query: string, variables?: Record<string, unknown>): Promise<RawAnswer> {
  const response = await fetch(service.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${caller.token}`,
      ...(key === null ? {} : { "idempotency-key": key }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, text, replayed: response.headers.get("idempotent-replayed"), json: JSON.parse(text) };
}

const admin = <T>(sql: string, params: unknown[] = []) =>
  withClient(service.database.adminUrl, async (client) => (await client.query(sql, params)).rows as T[]);

const leadsWithEmail = async (tenantId: string, email: string) =>
  admin<{ id: string; version: number }>(`SELECT id, version FROM lead WHERE tenant_id = $1 AND email = $2`, [tenantId, email.toLowerCase()]);
const eventsOf = async (tenantId: string, leadId: string) =>
  (await admin<{ event_type: string }>(`SELECT event_type FROM outbox WHERE tenant_id = $1 AND aggregate_id = $2 ORDER BY seq`, [tenantId, leadId])).map((row) => row.event_type);
const recordsOf = async (tenantId: string) =>
  admin<{ key: string; user_id: string; lead_ids: string[] }>(`SELECT key, user_id, lead_ids FROM idempotency_record WHERE tenant_id = $1`, [tenantId]);

describe("a mutation sent again with its Idempotency-Key", () => {
  it("gets the identical status and body, marked replayed, and the change was applied once (rows, version, events)", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const input = aCapture();
    const key = `capture-${randomUUID()}`;
    const first = await send(rep, key, CAPTURE, { input });
    expect(first.status).toBe(200);
    expect(first.replayed).toBeNull();
    const lead = first.json.data!.captureLead;

    const again = await send(rep, key, CAPTURE, { input });
    const third = await send(rep, key, CAPTURE, { input });
    for (const replay of [again, third]) {
      expect(replay.status).toBe(first.status);
      expect(replay.text).toBe(first.text);
      expect(replay.replayed).toBe("true");
    }
    expect(await leadsWithEmail(rep.tenantId, input.email)).toEqual([{ id: lead.id, version: 1 }]);
    expect(await eventsOf(rep.tenantId, lead.id)).toEqual(["LeadCaptured"]);
    const metrics = await (await fetch(service.url.replace(/\/graphql$/, "/metrics"))).text();
    expect(metrics).toMatch(/^crm_idempotent_replays_total [1-9]/m);
  });

  it("runs several mutation fields under the one key; reads in the answer see the request's own uncommitted writes; a failed field rolls back alone", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    const missing = randomUUID();
    const document = `mutation Several($id: ID!) {
      note: logLeadActivity(leadId: $id, input: { type: NOTE, summary: "first call went well" }) { id }
      tagged: tagLead(id: $id, tags: ["vip"]) { version tags activities(first: 10) { totalCount edges { node { summary } } } }
    }`;
    const key = randomUUID();
    const first = await send(rep, key, document, { id: lead.id });
    expect(first.status).toBe(200);
    expect(first.json.data!.tagged).toMatchObject({ version: 3, tags: ["vip"] });
    // The activity of the first field, not yet committed when the second field read it.
    expect(first.json.data!.tagged.activities.totalCount).toBe(1);
    expect(first.json.data!.tagged.activities.edges[0].node.summary).toBe("first call went well");
    expect(first.json.errors).toBeUndefined();
    const eventsAfterFirst = await eventsOf(rep.tenantId, lead.id);
    expect(eventsAfterFirst).toContain("LeadActivityLogged");
    expect(eventsAfterFirst).toContain("LeadTagsChanged");

    const replay = await send(rep, key, document, { id: lead.id });
    expect(replay).toMatchObject({ status: 200, text: first.text, replayed: "true" });
    const afterwards = dataOf(await rep.gql(LEAD, { id: lead.id })).lead;
    expect(afterwards).toMatchObject({ version: 3, tags: ["vip"], activities: { totalCount: 1 } });
    expect(await eventsOf(rep.tenantId, lead.id)).toEqual(eventsAfterFirst);

    // A field that fails: the fields before it keep their writes, the answer (an error) is stored and replayed.
    const failing = `mutation Failing($id: ID!, $missing: ID!) {
      tagged: tagLead(id: $id, tags: ["second"]) { version }
      lost: tagLead(id: $missing, tags: ["never"]) { version }
    }`;
    const failingKey = randomUUID();
    const failed = await send(rep, failingKey, failing, { id: lead.id, missing });
    expect(failed.json.errors?.map((error) => error.extensions?.code)).toEqual(["NOT_FOUND"]);
    expect(await send(rep, failingKey, failing, { id: lead.id, missing })).toMatchObject({ status: failed.status, text: failed.text, replayed: "true" });
    expect(dataOf(await rep.gql(LEAD, { id: lead.id })).lead).toMatchObject({ version: 4, tags: ["vip", "second"] });
  });

  it("with another body: IDEMPOTENCY_KEY_REUSED, HTTP 422, nothing runs", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const key = randomUUID();
    const input = aCapture();
    expect((await send(rep, key, CAPTURE, { input })).status).toBe(200);
    const other = aCapture();
    const reused = await send(rep, key, CAPTURE, { input: other });
    expect(reused.status).toBe(422);
    expect(reused.json.errors?.[0].extensions?.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(reused.json.data).toBeUndefined();
    expect(await leadsWithEmail(rep.tenantId, other.email)).toEqual([]);
  });

  it("a request that never executed (invalid document, a role that may not) is not stored: the corrected retry runs under the same key", async () => {
    const tenantId = randomUUID();
    const viewer = await service.caller({ tenantId, roles: ["viewer"] });
    const key = randomUUID();
    const input = aCapture();
    const invalid = await send(viewer, key, `mutation Capture($input: CaptureLeadInput!) { captureLead(input: $input) { id nonsense } }`, { input });
    expect(invalid.status).toBe(400);
    const forbidden = await send(viewer, key, CAPTURE, { input });
    expect(forbidden.json.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect(await recordsOf(tenantId)).toEqual([]);
    // The same user with the right role now (a new token): the key is still free.
    const rep = await service.caller({ tenantId, userId: viewer.userId, roles: ["sales_rep"] });
    const executed = await send(rep, key, CAPTURE, { input });
    expect(executed).toMatchObject({ status: 200, replayed: null });
    expect(executed.json.data?.captureLead.email).toBe(input.email.toLowerCase());
  });

  it("compares bodies by content: the variables' key order does not make another body", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const key = randomUUID();
    const input = aCapture({ company: "Order Ltd" });
    const first = await send(rep, key, CAPTURE, { input });
    const reordered = Object.fromEntries(Object.entries(input).reverse());
    const replay = await send(rep, key, CAPTURE, { input: reordered });
    expect(replay).toMatchObject({ status: first.status, text: first.text, replayed: "true" });
  });
});

describe("importLeads and mergeLeads under a key", () => {
  it("a keyed import replays its answer; its rows were imported once, one LeadCaptured each", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const rows = Array.from({ length: 120 }, () => aCapture());
    const document = `mutation Import($input: ImportLeadsInput!) { importLeads(input: $input) { imported skipped failed rows { index status lead { id version } } } }`;
    const key = randomUUID();
    const first = await send(rep, key, document, { input: { leads: rows } });
    expect(first.json.data!.importLeads).toMatchObject({ imported: 120, skipped: 0, failed: 0 });
    const replay = await send(rep, key, document, { input: { leads: rows } });
    expect(replay).toMatchObject({ status: first.status, text: first.text, replayed: "true" });
    const counts = await admin<{ leads: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM lead WHERE tenant_id = $1) AS leads,
              (SELECT count(*)::int FROM outbox WHERE tenant_id = $1 AND event_type = 'LeadCaptured') AS events`,
      [rep.tenantId],
    );
    expect(counts).toEqual([{ leads: 120, events: 120 }]);
  });

  it("a merge erases the stored answers that name its duplicate, not the survivor's", async () => {
    const admin_ = await service.caller({ roles: ["admin"] });
    const survivorKey = randomUUID();
    const duplicateKey = randomUUID();
    const survivor = (await send(admin_, survivorKey, CAPTURE, { input: aCapture({ name: "Ada Lovelace", company: "Acme" }) })).json.data!.captureLead;
    const duplicate = (await send(admin_, duplicateKey, CAPTURE, { input: aCapture({ name: "Ada Lovelace", company: "Acme" }) })).json.data!.captureLead;
    dataOf(await admin_.gql(`mutation Merge($s: ID!, $d: ID!) { mergeLeads(survivorId: $s, duplicateId: $d) { id } }`, { s: survivor.id, d: duplicate.id }));
    const keys = (await recordsOf(admin_.tenantId)).map((record) => record.key);
    expect(keys).toContain(survivorKey);
    expect(keys).not.toContain(duplicateKey);
  });
});

describe("a key in use", () => {
  it("while a request holds the key: IDEMPOTENCY_KEY_IN_USE, HTTP 409, nothing runs", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const key = randomUUID();
    const input = aCapture();
    // Hold the key's lock as a running request would.
    await withClient(service.database.adminUrl, async (client) => {
      await client.query("BEGIN");
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 2))`, [`${rep.tenantId}:${rep.userId}:${key}`]);
      const busy = await send(rep, key, CAPTURE, { input });
      await client.query("ROLLBACK");
      expect(busy.status).toBe(409);
      expect(busy.json.errors?.[0].extensions?.code).toBe("IDEMPOTENCY_KEY_IN_USE");
    });
    expect(await leadsWithEmail(rep.tenantId, input.email)).toEqual([]);
    // Released: the retry executes.
    expect((await send(rep, key, CAPTURE, { input })).json.data?.captureLead.email).toBe(input.email.toLowerCase());
  });

  it("two requests racing with one key: exactly one executes, the other gets 409 or the replay", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    for (let round = 0; round < 10; round++) {
      const key = randomUUID();
      const input = aCapture();
      const answers = await Promise.all([send(rep, key, CAPTURE, { input }), send(rep, key, CAPTURE, { input })]);
      const executed = answers.filter((answer) => answer.status === 200 && answer.replayed === null);
      expect(executed).toHaveLength(1);
      for (const answer of answers.filter((a) => a !== executed[0])) {
        if (answer.status === 409) expect(answer.json.errors?.[0].extensions?.code).toBe("IDEMPOTENCY_KEY_IN_USE");
        else expect(answer).toMatchObject({ status: 200, replayed: "true", text: executed[0].text });
      }
      const leads = await leadsWithEmail(rep.tenantId, input.email);
      expect(leads).toHaveLength(1);
      expect(await eventsOf(rep.tenantId, leads[0].id)).toEqual(["LeadCaptured"]);
    }
  });
});

describe("the key's scope and reach", () => {
  it("is tenant + user: another user or another tenant with the same key string executes independently", async () => {
    const tenantId = randomUUID();
    const first = await service.caller({ tenantId, roles: ["sales_rep"] });
    const colleague = await service.caller({ tenantId, roles: ["sales_rep"] });
    const stranger = await service.caller({ roles: ["sales_rep"], userId: first.userId });
    const key = "order-42";
    const answers = [];
    for (const caller of [first, colleague, stranger]) {
      const input = aCapture();
      const answer = await send(caller, key, CAPTURE, { input });
      expect(answer).toMatchObject({ status: 200, replayed: null });
      expect(await leadsWithEmail(caller.tenantId, input.email)).toHaveLength(1);
      answers.push(answer.json.data!.captureLead.id);
    }
    expect(new Set(answers).size).toBe(3);
    expect((await recordsOf(tenantId)).map((record) => record.user_id).sort()).toEqual([first.userId, colleague.userId].sort());
  });

  it("is ignored by queries: nothing stored, nothing replayed", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    const key = randomUUID();
    const before = await send(rep, key, LEAD, { id: lead.id });
    await rep.gql(TAG, { id: lead.id, tags: ["changed"] });
    const after = await send(rep, key, LEAD, { id: lead.id });
    expect(before.replayed).toBeNull();
    expect(after.replayed).toBeNull();
    expect(after.json.data!.lead.tags).toEqual(["changed"]);
    expect(await recordsOf(rep.tenantId)).toEqual([]);
  });

  it("must be 1..255 visible ASCII characters, else BAD_REQUEST, HTTP 400, nothing runs", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    for (const bad of ["", "has space", "x".repeat(256), "tab\there"]) {
      const input = aCapture();
      const answer = await send(rep, bad, CAPTURE, { input });
      expect(answer.status, JSON.stringify(bad)).toBe(400);
      expect(answer.json.errors?.[0].extensions?.code).toBe("BAD_REQUEST");
      expect(await leadsWithEmail(rep.tenantId, input.email)).toEqual([]);
    }
    expect((await send(rep, "~".repeat(255), CAPTURE, { input: aCapture() })).status).toBe(200);
  });

  it("erasure: deleting a lead removes the stored answers that name it; a retry then executes afresh", async () => {
    const admin_ = await service.caller({ roles: ["admin"] });
    const input = aCapture();
    const key = randomUUID();
    const first = await send(admin_, key, CAPTURE, { input });
    const leadId = first.json.data!.captureLead.id;
    const other = await send(admin_, randomUUID(), CAPTURE, { input: aCapture() });
    expect((await recordsOf(admin_.tenantId)).find((record) => record.key === key)?.lead_ids).toContain(leadId);

    dataOf(await admin_.gql(DELETE, { id: leadId }));
    const remaining = await recordsOf(admin_.tenantId);
    expect(remaining.map((record) => record.key)).not.toContain(key);
    expect(remaining.flatMap((record) => record.lead_ids)).toContain(other.json.data!.captureLead.id);
    const allText = await admin<{ body: string }>(`SELECT response_body AS body FROM idempotency_record WHERE tenant_id = $1`, [admin_.tenantId]);
    expect(allText.map((row) => row.body).join("")).not.toContain(input.email.toLowerCase());

    const retry = await send(admin_, key, CAPTURE, { input });
    expect(retry).toMatchObject({ status: 200, replayed: null });
    expect(retry.json.data!.captureLead.id).not.toBe(leadId);
  });

  it("stored answers are tenant data: row-level security hides them from the runtime role without the tenant", async () => {
    const rep = await service.caller({ roles: ["sales_rep"] });
    await send(rep, randomUUID(), CAPTURE, { input: aCapture() });
    expect(await recordsOf(rep.tenantId)).toHaveLength(1);
    const seen = await withClient(service.database.runtimeUrl, async (client) => {
      const none = (await client.query(`SELECT count(*)::int AS n FROM idempotency_record`)).rows[0].n;
      await client.query("BEGIN");
      await client.query(`SELECT set_config('app.current_tenant_id', $1, true)`, [randomUUID()]);
      const otherTenant = (await client.query(`SELECT count(*)::int AS n FROM idempotency_record`)).rows[0].n;
      await client.query(`SELECT set_config('app.current_tenant_id', $1, true)`, [rep.tenantId]);
      const own = (await client.query(`SELECT count(*)::int AS n FROM idempotency_record`)).rows[0].n;
      // Writing another tenant's record, or changing one from another tenant, is refused or reaches nothing.
      const forged = await client
        .query(`INSERT INTO idempotency_record (tenant_id, user_id, key, request_hash, response_status, response_body, created_at, expires_at)
                VALUES ($1, 'u', 'k', 'h', 200, '{}', now(), now() + interval '1 day')`, [randomUUID()])
        .then(() => "inserted", (error: Error) => error.message);
      await client.query("ROLLBACK");
      await client.query("BEGIN");
      await client.query(`SELECT set_config('app.current_tenant_id', $1, true)`, [randomUUID()]);
      const changed = (await client.query(`UPDATE idempotency_record SET response_body = 'forged' WHERE tenant_id = $1`, [rep.tenantId])).rowCount;
      const erased = (await client.query(`DELETE FROM idempotency_record`)).rowCount;
      await client.query("ROLLBACK");
      return { none, otherTenant, own, forged, changed, erased };
    });
    expect(seen).toMatchObject({ none: 0, otherTenant: 0, own: 1, changed: 0, erased: 0 });
    expect(seen.forged).toMatch(/row-level security/);
  });
});

describe("expiry", () => {
  it("after IDEMPOTENCY_TTL_SECONDS the key executes afresh, and the service purges expired records", async () => {
    const shortLived = await startTestService({ IDEMPOTENCY_TTL_SECONDS: "1" });
    try {
      const rep = await shortLived.caller({ roles: ["sales_rep"] });
      const input = aCapture();
      const key = randomUUID();
      const post = async () => {
        const response = await fetch(shortLived.url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${rep.token}`, "idempotency-key": key },
          body: JSON.stringify({ query: CAPTURE, variables: { input } }),
        });
        return { replayed: response.headers.get("idempotent-replayed"), body: (await response.json()) as any };
      };
      const first = await post();
      expect(first.body.data.captureLead.email).toBe(input.email.toLowerCase());
      expect((await post())).toMatchObject({ replayed: "true", body: first.body });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // Expired: the capture runs again and finds its own lead.
      const afresh = await post();
      expect(afresh.replayed).toBeNull();
      expect(afresh.body.errors[0].extensions).toMatchObject({ code: "LEAD_ALREADY_EXISTS" });

      const stored = () =>
        withClient(shortLived.database.adminUrl, async (client) => (await client.query(`SELECT count(*)::int AS n FROM idempotency_record`)).rows[0].n as number);
      expect(await eventually(stored, (count) => count === 0, 10_000)).toBe(0);
      const metrics = await (await fetch(shortLived.url.replace(/\/graphql$/, "/metrics"))).text();
      expect(metrics).toMatch(/^crm_idempotency_records_purged_total [1-9]/m);
    } finally {
      await shortLived.stop();
    }
  });
});
