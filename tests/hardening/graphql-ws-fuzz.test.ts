import { parse } from "graphql";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCapture, CAPTURE, LOG_ACTIVITY } from "../api/operations";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";
import { hostileCases, LEAK, type HostileCase } from "./hostile-values";

// The hostile values of the HTTP fuzz, over graphql-ws: every operation the
// server takes on a socket (queries and mutations as well as subscriptions,
// or a coded refusal if it takes only subscriptions) answers each with data
// or a coded client error: never INTERNAL_SERVER_ERROR, an uncoded error, an
// internal message, or a closed socket.
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

function parses(query: string): boolean {
  try {
    parse(query);
    return true;
  } catch {
    return false;
  }
}

interface Answer {
  errors: { message?: string; extensions?: Record<string, unknown> }[];
  done: boolean;
}

/** One acknowledged socket; `run` sends a batch of operations and resolves once each answered (or, for a started subscription, was completed by us). */
async function openSocket(token: string) {
  const socket = new WebSocket(service.url.replace("http", "ws"), "graphql-transport-ws");
  const answers = new Map<string, Answer>();
  let wake: (() => void) | null = null;
  let closedWith: number | null = null;
  socket.on("close", (code) => {
    closedWith = code;
    wake?.();
  });
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    const answer = answers.get(message.id);
    if (!answer) return;
    if (message.type === "next" && message.payload?.errors) answer.errors.push(...message.payload.errors);
    if (message.type === "error") {
      answer.errors.push(...(Array.isArray(message.payload) ? message.payload : [message.payload]));
      answer.done = true;
    }
    if (message.type === "complete") answer.done = true;
    wake?.();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
    socket.once("message", () => resolve());
  });
  return {
    get closedWith() {
      return closedWith;
    },
    answers,
    async run(batch: { id: string; hostile: HostileCase }[]) {
      for (const { id, hostile } of batch) {
        answers.set(id, { errors: [], done: false });
        socket.send(JSON.stringify({ id, type: "subscribe", payload: { query: hostile.query, variables: hostile.variables } }));
      }
      const deadline = Date.now() + 30_000;
      const pending = () => batch.filter(({ id, hostile }) => !answers.get(id)?.done && hostile.kind !== "subscription");
      while (pending().length && closedWith === null && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 200);
        });
      }
      // A subscription that started is live: give a refusal time to arrive, then let it go.
      if (batch.some(({ hostile }) => hostile.kind === "subscription")) await new Promise((resolve) => setTimeout(resolve, 300));
      for (const { id } of batch) if (!answers.get(id)?.done && closedWith === null) socket.send(JSON.stringify({ id, type: "complete" }));
    },
    close() {
      socket.close(1000);
    },
  };
}

describe("fuzzing graphql-ws with hostile values", () => {
  it("answers every operation with data or a coded client error, and keeps the socket open", async () => {
    // Every subscription case; a sample of the rest (the socket judges them as a whole, before their values).
    const cases = hostileCases({ leadId, userId: caller.userId, activityId }).filter((c, i) => c.kind === "subscription" || i % 8 === 0);
    expect(cases.filter((c) => c.kind === "subscription").length).toBeGreaterThan(50);
    let live = await openSocket(caller.token);
    const failures: string[] = [];
    // A document that does not parse goes alone: if the server dropped the socket for it, no other case is lost with it.
    const batches: HostileCase[][] = [];
    const parsing = cases.filter((c) => parses(c.query));
    for (let start = 0; start < parsing.length; start += 50) batches.push(parsing.slice(start, start + 50));
    for (const unparsable of cases.filter((c) => !parses(c.query))) batches.push([unparsable]);
    let sent = 0;
    for (const hostiles of batches) {
      const batch = hostiles.map((hostile) => ({ id: `op${sent++}`, hostile }));
      await live.run(batch);
      if (live.closedWith !== null) {
        // Reported, then carry on with a new socket so one run shows every kind of failure.
        failures.push(`socket closed with ${live.closedWith} during ${batch.map(({ hostile }) => hostile.label).join(" | ").slice(0, 300)}`);
        live = await openSocket(caller.token);
        continue;
      }
      for (const { id, hostile } of batch) {
        const answer = live.answers.get(id) as Answer;
        const text = JSON.stringify(answer.errors);
        if (LEAK.test(text) || answer.errors.some((error) => typeof error.extensions?.code !== "string")) {
          failures.push(`${hostile.label} -> ${text.slice(0, 300)}`);
        }
        if (!answer.done && hostile.kind !== "subscription") failures.push(`${hostile.label} -> no answer`);
      }
    }
    live.close();
    expect(failures.slice(0, 10)).toEqual([]);
    expect((await fetch(service.url.replace("/graphql", "/health"))).status).toBe(200);
  }, 300_000);
});
