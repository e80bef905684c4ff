import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, errorOf, startTestService, TEST_JWT_SECRET, type Caller, type TestService } from "../support/test-service";
import { aCapture, ASSIGN, CAPTURE, CONTACT, LEAD, LEADS, LOG_ACTIVITY, QUALIFY, UPDATE_CONTACT } from "./operations";

let service: TestService;
let admin: Caller;

beforeAll(async () => {
  service = await startTestService();
  admin = await service.caller({ roles: ["admin"] });
});
afterAll(() => service?.stop());

const secret = new TextEncoder().encode(TEST_JWT_SECRET);
function token(claims: Record<string, unknown>, options: { exp?: number; nbf?: number; alg?: string } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? "HS256" }).setIssuedAt();
  if (options.exp !== undefined) jwt.setExpirationTime(options.exp);
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(secret);
}
const now = () => Math.floor(Date.now() / 1000);
const validClaims = () => ({ sub: randomUUID(), tenant_id: randomUUID(), roles: ["admin"] });

describe("who is calling", () => {
  it("answers _service { sdl } to anyone, with any token or none", async () => {
    for (const headers of [{}, { authorization: "Bearer garbage" }] as Record<string, string>[]) {
      const response = await service.post({ query: "{ _service { sdl } }" }, headers);
      expect(response.data?._service.sdl).toContain("type Lead");
    }
  });

  it("refuses a missing, malformed, expired, future or badly signed token with UNAUTHENTICATED", async () => {
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify(validClaims())).toString("base64url")}.`;
    const wrongKey = await new SignJWT(validClaims()).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode("another-secret-another-secret-another"));
    const cases: Record<string, string | undefined> = {
      none: undefined,
      garbage: "Bearer not.a.jwt",
      "not bearer": `Basic ${await token(validClaims())}`,
      "alg none": `Bearer ${unsigned}`,
      "wrong key": `Bearer ${wrongKey}`,
      expired: `Bearer ${await token(validClaims(), { exp: now() - 120 })}`,
      "not yet valid": `Bearer ${await token(validClaims(), { nbf: now() + 120 })}`,
      "no tenant": `Bearer ${await token({ sub: randomUUID(), roles: ["admin"] })}`,
      "tenant not a uuid": `Bearer ${await token({ sub: randomUUID(), tenant_id: "acme", roles: ["admin"] })}`,
      "sub not a uuid": `Bearer ${await token({ sub: "bob", tenant_id: randomUUID(), roles: ["admin"] })}`,
    };
    for (const [name, authorization] of Object.entries(cases)) {
      const response = await service.post({ query: "{ leads { totalCount } }" }, authorization ? { authorization } : {});
      expect(errorOf(response).code, name).toBe("UNAUTHENTICATED");
      expect(response.data ?? null, name).toBeNull();
    }
  });

  it("allows 30 seconds of clock skew", async () => {
    const slightlyExpired = await token(validClaims(), { exp: now() - 10 });
    const response = await service.post({ query: "{ leads { totalCount } }" }, { authorization: `Bearer ${slightlyExpired}` });
    expect(dataOf(response).leads.totalCount).toBe(0);
  });

  it("refuses a valid token without a known role with FORBIDDEN", async () => {
    for (const roles of [undefined, "admin", [], ["superuser"]]) {
      const claims = { ...validClaims(), roles };
      const response = await service.post({ query: "{ leads { totalCount } }" }, { authorization: `Bearer ${await token(claims)}` });
      expect(errorOf(response).code, JSON.stringify(roles)).toBe("FORBIDDEN");
    }
  });

  it("lets viewers read but not write, sales reps write but not delete", async () => {
    const viewer = await service.caller({ tenantId: admin.tenantId, roles: ["viewer"] });
    expect(dataOf(await viewer.gql("{ leads { totalCount } }")).leads.totalCount).toBeGreaterThanOrEqual(0);
    expect(errorOf(await viewer.gql(CAPTURE, { input: aCapture() })).code).toBe("FORBIDDEN");
    const rep = await service.caller({ tenantId: admin.tenantId, roles: ["sales_rep"] });
    const lead = dataOf(await rep.gql(CAPTURE, { input: aCapture() })).captureLead;
    expect(errorOf(await rep.gql("mutation($id: ID!) { deleteLead(id: $id) }", { id: lead.id })).code).toBe("FORBIDDEN");
  });
});

describe("error codes", () => {
  it("BAD_USER_INPUT names the field inside the argument", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [CAPTURE, { input: aCapture({ email: "nope" }) }, "email"],
      [CAPTURE, { input: aCapture({ name: "   " }) }, "name"],
      [CAPTURE, { input: aCapture({ phone: "12345" }) }, "phone"],
      [CAPTURE, { input: aCapture({ tags: ["!bad"] }) }, "tags"],
      [CAPTURE, { input: aCapture({ estimatedValue: { amountMinor: -1, currency: "USD" } }) }, "estimatedValue.amountMinor"],
      [CAPTURE, { input: aCapture({ estimatedValue: { amountMinor: 1, currency: "XYZ" } }) }, "estimatedValue.currency"],
      [CAPTURE, { input: aCapture({ ownerId: "not-a-uuid" }) }, "ownerId"],
      [QUALIFY, { id: randomUUID(), value: { amountMinor: 0, currency: "USD" } }, "estimatedValue.amountMinor"],
      [CONTACT, { id: "123" }, "id"],
      [LEAD, { id: "123" }, "id"],
      [LEADS, { first: 0 }, "first"],
      [LEADS, { first: 101 }, "first"],
      [LEADS, { after: "garbage" }, "after"],
      [LOG_ACTIVITY, { leadId: randomUUID(), input: { type: "NOTE", summary: "" } }, "summary"],
      [UPDATE_CONTACT, { input: { id: randomUUID(), email: null } }, "email"],
    ];
    for (const [query, variables, field] of cases) {
      const error = errorOf(await admin.gql(query, variables));
      expect(error.code, JSON.stringify(variables)).toBe("BAD_USER_INPUT");
      expect(error.extensions.field, JSON.stringify(variables)).toBe(field);
    }
  });

  it("checks input before existence, existence before version, version before the domain", async () => {
    // bad input on a missing lead: BAD_USER_INPUT, not NOT_FOUND
    expect(errorOf(await admin.gql(QUALIFY, { id: randomUUID(), value: { amountMinor: 0, currency: "USD" } })).code).toBe("BAD_USER_INPUT");
    // missing lead with a wrong version: NOT_FOUND, not CONFLICT
    expect(errorOf(await admin.gql(CONTACT, { id: randomUUID(), v: 7 })).code).toBe("NOT_FOUND");
    const lead = dataOf(await admin.gql(CAPTURE, { input: aCapture() })).captureLead;
    // a refused transition with a stale version: CONFLICT first
    const conflict = errorOf(await admin.gql(QUALIFY, { id: lead.id, value: { amountMinor: 5, currency: "USD" }, v: 9 }));
    expect(conflict).toMatchObject({ code: "CONFLICT", extensions: { actualVersion: 1 } });
    expect(errorOf(await admin.gql(QUALIFY, { id: lead.id, value: { amountMinor: 5, currency: "USD" }, v: 1 })).code).toBe("INVALID_TRANSITION");
  });

  it("CONFLICT leaves the lead unchanged", async () => {
    const lead = dataOf(await admin.gql(CAPTURE, { input: aCapture() })).captureLead;
    expect(errorOf(await admin.gql(ASSIGN, { id: lead.id, ownerId: randomUUID(), v: 2 })).code).toBe("CONFLICT");
    const read = dataOf(await admin.gql(LEAD, { id: lead.id })).lead;
    expect(read).toMatchObject({ version: 1, owner: null });
  });

  it("LEAD_ALREADY_EXISTS carries the existing lead's id, per tenant", async () => {
    const input = aCapture();
    const first = dataOf(await admin.gql(CAPTURE, { input })).captureLead;
    const again = errorOf(await admin.gql(CAPTURE, { input: { ...input, email: input.email.toUpperCase() } }));
    expect(again).toMatchObject({ code: "LEAD_ALREADY_EXISTS", extensions: { existingLeadId: first.id } });
    const other = await service.caller();
    expect(dataOf(await other.gql(CAPTURE, { input })).captureLead.email).toBe(input.email);
    const second = dataOf(await admin.gql(CAPTURE, { input: aCapture() })).captureLead;
    const taken = errorOf(await admin.gql(UPDATE_CONTACT, { input: { id: second.id, email: input.email } }));
    expect(taken).toMatchObject({ code: "LEAD_ALREADY_EXISTS", extensions: { existingLeadId: first.id } });
  });

  it("reports parse and validation failures with Apollo's codes and status 400", async () => {
    const parse = await admin.gql("{ leads { ");
    expect(parse.status).toBe(400);
    expect(errorOf(parse).code).toBe("GRAPHQL_PARSE_FAILED");
    const validation = await admin.gql("{ leads { noSuchField } }");
    expect(validation.status).toBe(400);
    expect(errorOf(validation).code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("answers an oversized body with 413 and no stack", async () => {
    const response = await service.post({ query: "{ leads { totalCount } }", variables: { pad: "x".repeat(2 * 1024 * 1024) } });
    expect(response.status).toBe(413);
    expect(JSON.stringify(response.errors)).not.toMatch(/at |node_modules|\.ts:/);
  });
});

describe("bad variable values", () => {
  it("BAD_USER_INPUT from GraphQL's own coercion still names the field inside the argument", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [aCapture({ estimatedValue: { amountMinor: 2 ** 31, currency: "USD" } }), "estimatedValue.amountMinor"],
      [aCapture({ estimatedValue: { amountMinor: 1 } }), "estimatedValue.currency"],
      [{ name: "no email", source: "OTHER" }, "email"],
      [aCapture({ source: "CARRIER_PIGEON" }), "source"],
      [aCapture({ tags: [1] }), "tags"],
    ];
    for (const [input, field] of cases) {
      const error = errorOf(await admin.gql(CAPTURE, { input }));
      expect(error.code, JSON.stringify(input)).toBe("BAD_USER_INPUT");
      expect(error.extensions.field, JSON.stringify(input)).toBe(field);
    }
    const first = errorOf(await admin.gql(LEADS, { first: "ten" }));
    expect(first).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "first" } });
  });
});
