import { buildSchema, parse, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type OperationDefinitionNode } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { argumentsOfSelected } from "../../src/graphql/look-ahead";
import { measureDocument } from "../../src/graphql/query-limits";
import { openGraphqlSocket, type GraphqlSocket } from "../support/graphql-socket";
import { errorOf, startTestService, type Caller, type TestService } from "../support/test-service";

// A document of fragments that each spread the next twice is ~40 bytes a
// level and expands to 2^levels selections. Measuring it must cost its size,
// not its expansion: before, 22 levels froze the instance for 5.7 s, without a token.

/** `root { ...F0 }` and fragments F0..F(levels-1) on `type`, each spreading the next twice; the last selects `leaf`. */
function doublingFragments(levels: number, root: string, type: string, leaf = "__typename"): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on ${type} { ...F${i + 1} ...F${i + 1} }`);
  return `${root.replace("%", "...F0")} ${fragments.join(" ")} fragment F${levels} on ${type} { ${leaf} }`;
}

// The look-ahead only needs Lead.activities' definition.
const LOOK_AHEAD_SCHEMA = buildSchema(`
  type Query { lead(id: ID): Lead }
  type Lead { activities(first: Int, after: String): ActivityConnection }
  type ActivityConnection { totalCount: Int }
`);

const LEVELS = [20, 30, 60];
// Generous (the machine is shared): the point is "answered, not frozen". A measured document
// takes milliseconds; before, 20 levels took 1.4 s and each level doubled it (30: ~25 min).
const ANSWER_BOUND_MS = 5_000;

let service: TestService;
let caller: Caller;

beforeAll(async () => {
  service = await startTestService();
  caller = await service.caller({ roles: ["viewer"] });
  // The first request of a fresh instance pays for warming up, not for measuring.
  await service.post({ query: "{ __typename }" });
});
afterAll(() => service?.stop());

/** Polls /health while `attack` runs; every poll must be answered, and answered within the bound. */
async function whileHealthIsPolled<T>(attack: () => Promise<T>): Promise<T> {
  const health = service.url.replace("/graphql", "/health");
  let attacking = true;
  const polls: { status: number; ms: number }[] = [];
  const poller = (async () => {
    while (attacking) {
      const started = Date.now();
      const response = await fetch(health, { signal: AbortSignal.timeout(ANSWER_BOUND_MS * 5) });
      polls.push({ status: response.status, ms: Date.now() - started });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    return await attack();
  } finally {
    attacking = false;
    await poller;
    expect(polls.length).toBeGreaterThan(0);
    for (const poll of polls) {
      expect(poll.status).toBe(200);
      expect(poll.ms).toBeLessThan(ANSWER_BOUND_MS);
    }
  }
}

describe("measuring a document costs its size, not its expansion", () => {
  it("measures a 1,000-level chain of doubling fragments (2^1000 selections) in one pass", () => {
    const shape = measureDocument(parse(doublingFragments(1_000, "query { % }", "Query")));
    expect(shape.spreads).toBeGreaterThan(1e300);
    expect(shape.selections).toBeGreaterThan(1e300);
    expect(shape.depth).toBe(1);
  });

  it("gives the same depth and alias count as before on ordinary documents", () => {
    const shape = measureDocument(
      parse(`{ a: leads { edges { node { ...Card } } } b: leads { totalCount } } fragment Card on Lead { id x: name owner { id } }`),
    );
    expect(shape).toEqual({ depth: 5, aliases: 3, selections: 10, spreads: 1 });
  });

  it("the look-ahead walks each fragment once", () => {
    const document = parse(doublingFragments(60, "query { lead(id: 1) { % } }", "Lead", "activities(first: 2) { totalCount }"));
    const operation = document.definitions[0] as OperationDefinitionNode;
    const fragments = Object.fromEntries(
      document.definitions.slice(1).map((definition) => [(definition as FragmentDefinitionNode).name.value, definition as FragmentDefinitionNode]),
    );
    const info = {
      fieldNodes: [operation.selectionSet.selections[0] as FieldNode],
      fragments,
      schema: LOOK_AHEAD_SCHEMA,
      variableValues: {},
    } as unknown as GraphQLResolveInfo;
    expect(argumentsOfSelected(info, ["activities"], "Lead")).toEqual({ first: 2 });
  });
});

describe("doubling fragments are refused with QUERY_TOO_COMPLEX in bounded time", () => {
  it("over HTTP without a token, while /health answers throughout", async () => {
    await whileHealthIsPolled(async () => {
      for (const levels of LEVELS) {
        const started = Date.now();
        const response = await service.post({ query: doublingFragments(levels, "query { % }", "Query") });
        expect(Date.now() - started).toBeLessThan(ANSWER_BOUND_MS);
        expect(response.status).toBe(400);
        expect(errorOf(response).code).toBe("QUERY_TOO_COMPLEX");
      }
    });
  });

  it("over graphql-ws with a token, as subscriptions and as queries, and the socket stays open", async () => {
    const socket: GraphqlSocket = await openGraphqlSocket(service.url, caller.token);
    try {
      await whileHealthIsPolled(async () => {
        for (const levels of LEVELS) {
          for (const document of [
            doublingFragments(levels, "subscription { leadEvents { % } }", "LeadEvent"),
            doublingFragments(levels, "query { % }", "Query"),
          ]) {
            const started = Date.now();
            const operation = await socket.run(document).until((op) => op.completed, ANSWER_BOUND_MS * 5);
            expect(Date.now() - started).toBeLessThan(ANSWER_BOUND_MS);
            expect(operation.errors.map((error) => error.extensions)).toEqual([{ code: "QUERY_TOO_COMPLEX" }]);
          }
        }
      });
      expect(socket.closedWith).toBeNull();
    } finally {
      await socket.dispose();
    }
  });
});
