import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE, LEAD, LEADS, LOG_ACTIVITY, PIPELINE, QUALIFY, TAG, UPDATE_CONTACT } from "../api/operations";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { hostileCases, LEAK } from "./hostile-values";

// 10,000 seeded cases of random and mutated documents and variables: the
// server answers each with a coded client error or data, never a 5xx, a
// masked INTERNAL_SERVER_ERROR, or a stack, SQL or file path.
const CASES = 10_000;
const CONCURRENCY = 8;
let service: TestService;
let caller: Caller;
let leadId: string;
let activityId: string;

beforeAll(async () => {
  service = await startTestService();
  caller = await service.caller({ roles: ["admin"] });
  leadId = dataOf(await caller.gql(CAPTURE, { input: aCapture() })).captureLead.id;
  activityId = dataOf(await caller.gql(LOG_ACTIVITY, { leadId, input: { type: "CALL", summary: "first call" } })).logLeadActivity.id;
});
afterAll(() => service?.stop());

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED_DOCUMENTS = [CAPTURE, LEAD, LEADS, LOG_ACTIVITY, PIPELINE, QUALIFY, TAG, UPDATE_CONTACT, "{ _service { sdl } }", "query($r: [_Any!]!) { _entities(representations: $r) { ... on Lead { id } } }"];
const TOKENS = ["{", "}", "(", ")", "$", "...", "@skip(if: true)", "__typename", "leads", "first: -1", "after: \"x\"", "id: 1", "\"\\u0000\"", "query", "mutation", "fragment f on Lead { id }", "#", ":", "!", "[", "]"];

function randomValue(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * 11);
  if (depth > 3) return null;
  switch (pick) {
    case 0: return null;
    case 1: return Math.floor(random() * 2 ** 33) - 2 ** 32;
    case 2: return random() * 1e6;
    case 3: return "x".repeat(Math.floor(random() * 300));
    case 4: return leadId;
    case 5: return ["NEW", "CALL", "REFERRAL", "USD", "💥", "'; DROP TABLE lead; --", "%_\\"][Math.floor(random() * 7)];
    case 6: return random() < 0.5;
    case 7: return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    case 8: return { __typename: random() < 0.5 ? "Lead" : "User", id: randomValue(random, depth + 1) };
    case 9: return { ...aCapture(), estimatedValue: { amountMinor: randomValue(random, depth + 1), currency: randomValue(random, depth + 1) } };
    default: return Object.fromEntries(["id", "input", "first", "after", "value", "tags", "leadId", "filter", "r"].map((key) => [key, randomValue(random, depth + 1)]));
  }
}

function mutate(document: string, random: () => number): string {
  let text = document;
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (text.length + 1));
    const action = random();
    if (action < 0.33) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 5));
    else if (action < 0.66) text = text.slice(0, at) + TOKENS[Math.floor(random() * TOKENS.length)] + text.slice(at);
    else text = text.slice(0, at) + text.slice(Math.floor(random() * text.length), at) + text.slice(at);
  }
  return text;
}

function randomBody(random: () => number): string {
  const kind = random();
  const document = SEED_DOCUMENTS[Math.floor(random() * SEED_DOCUMENTS.length)];
  if (kind < 0.05) return JSON.stringify(randomValue(random));
  if (kind < 0.08) return `{"query": ${JSON.stringify(document)}, "variables": ${"[".repeat(50)}`;
  const variables = random() < 0.5 ? randomValue(random) : { id: leadId, input: randomValue(random), first: randomValue(random), r: [randomValue(random)] };
  return JSON.stringify({ query: kind < 0.6 ? mutate(document, random) : document, variables });
}

describe("fuzzing the GraphQL endpoint", () => {
  it(`answers ${CASES} random and mutated requests without a server error or a leak`, async () => {
    const random = prng(20261124);
    const bodies = Array.from({ length: CASES }, () => randomBody(random));
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const response = await fetch(service.url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${caller.token}` },
          body,
        });
        const text = await response.text();
        if (response.status >= 500 || /INTERNAL_SERVER_ERROR|\n\s+at |node_modules|\.ts:\d|SELECT |prisma/i.test(text)) {
          failures.push(`${response.status} ${body.slice(0, 200)} -> ${text.slice(0, 300)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(failures.slice(0, 5)).toEqual([]);
    expect((await fetch(service.url.replace("/graphql", "/health"))).status).toBe(200);
  }, 240_000);

  it("answers NUL, lone surrogates, extreme numbers, instants and crafted cursors in every argument and variable with a coded client error", async () => {
    const cases = hostileCases({ leadId, userId: caller.userId, activityId }).filter((c) => c.kind !== "subscription");
    const failures: string[] = [];
    const codes = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const { label, query, variables } = cases[next++];
        const response = await caller.gql(query, variables);
        const text = JSON.stringify(response);
        for (const error of response.errors ?? []) codes.set(String(error.extensions?.code), (codes.get(String(error.extensions?.code)) ?? 0) + 1);
        if (response.status >= 500 || LEAK.test(text) || response.errors?.some((error) => !error.extensions?.code)) {
          failures.push(`${label} -> ${response.status} ${text.slice(0, 300)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    expect(failures.slice(0, 10)).toEqual([]);
    expect(cases.length).toBeGreaterThan(1000);
    // The hostile values were judged as values, not just refused as a shape.
    expect(codes.get("BAD_USER_INPUT")).toBeGreaterThan(500);
    expect(codes.has("INTERNAL_SERVER_ERROR")).toBe(false);
  }, 240_000);

  it("refuses bad UTF-8 and unknown content with a client error", async () => {
    const badUtf8 = Buffer.concat([Buffer.from('{"query":"{ leads { totalCount } }","x":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    for (const [body, contentType] of [[badUtf8, "application/json"], ["query=1", "application/x-www-form-urlencoded"], ["", "application/json"]] as const) {
      const response = await fetch(service.url, { method: "POST", headers: { "content-type": contentType, authorization: `Bearer ${caller.token}` }, body });
      expect(response.status, String(contentType)).toBeGreaterThanOrEqual(400);
      expect(response.status, String(contentType)).toBeLessThan(500);
    }
  });
});
