import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE } from "../api/operations";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { postGraphQL } from "./gateway-harness";

let crm: TestService;
let caller: Caller;
let sdl: string;

beforeAll(async () => {
  crm = await startTestService();
  caller = await crm.caller();
  sdl = (await postGraphQL(crm.url, "{ _service { sdl } }")).data._service.sdl;
});
afterAll(() => crm?.stop());

const auth = () => ({ authorization: `Bearer ${caller.token}` });

describe("Federation 2 details", () => {
  it("_service.sdl links federation v2 with the imported directives", () => {
    expect(sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+", import: \["@key", "@shareable", "@tag", "@inaccessible"\]\)/);
  });

  it("declares the keys, the unresolvable Campaign and the shareable value types", () => {
    expect(sdl).toMatch(/type Lead\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type User\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Campaign\s+@key\(fields: "id", resolvable: false\)/);
    expect(sdl).toMatch(/type Money\s+@shareable/);
    expect(sdl).toMatch(/type PageInfo\s+@shareable/);
  });

  it("schema.graphql is exactly what the running subgraph serves (what rover subgraph publish sends)", () => {
    const checkedIn = readFileSync(join(__dirname, "..", "..", "schema.graphql"), "utf8");
    expect(checkedIn.trimEnd()).toBe(sdl.trimEnd());
  });

  it("returns inline traces (ftv1) only when the gateway asks for them", async () => {
    const traced = await postGraphQL(crm.url, "{ leads { totalCount } }", {}, { ...auth(), "apollo-federation-include-trace": "ftv1" });
    expect(typeof traced.extensions?.ftv1).toBe("string");
    expect(Buffer.from(traced.extensions.ftv1, "base64").length).toBeGreaterThan(10);
    const plain = await postGraphQL(crm.url, "{ leads { totalCount } }", {}, auth());
    expect(plain.extensions?.ftv1).toBeUndefined();
  });

  it("resolves 100 Lead representations with one SQL statement, another tenant's as null", async () => {
    const mine = dataOf(await caller.gql(CAPTURE, { input: aCapture() })).captureLead;
    const other = await crm.caller();
    const theirs = dataOf(await other.gql(CAPTURE, { input: aCapture() })).captureLead;
    const representations = [mine.id, theirs.id, ...Array.from({ length: 98 }, () => randomUUID())].map((id) => ({ __typename: "Lead", id }));
    crm.statements.length = 0;
    const response = await postGraphQL(crm.url, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Lead { id name } } }`, { r: representations }, auth());
    expect(response.errors).toBeUndefined();
    expect(response.data._entities[0]).toEqual({ id: mine.id, name: mine.name });
    expect(response.data._entities.slice(1).every((entity: unknown) => entity === null)).toBe(true);
    expect(crm.statements.length).toBe(1);
  });

  it("answers a malformed representation with a coded error, and keeps serving", async () => {
    for (const representation of [{ __typename: "Lead", id: "nope" }, { __typename: "Lead" }, { __typename: "User", id: 7 }]) {
      const response = await postGraphQL(crm.url, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Lead { id } } }`, { r: [representation] }, auth());
      expect(response.errors?.[0]?.extensions?.code, JSON.stringify(representation)).toBe("BAD_USER_INPUT");
    }
    const unknownType = await postGraphQL(crm.url, `query($r: [_Any!]!) { _entities(representations: $r) { __typename } }`, { r: [{ __typename: "Nope", id: "x" }] }, auth());
    expect(unknownType.errors?.[0]?.extensions?.code).toBeDefined();
    expect(JSON.stringify(unknownType)).not.toMatch(/node_modules|\.ts:\d/);
    expect((await postGraphQL(crm.url, "{ _service { sdl } }")).data._service.sdl).toBe(sdl);
  });
});
