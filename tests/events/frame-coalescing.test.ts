import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { aCapture, CAPTURE } from "../api/operations";
import { IMPORT } from "../cache/cache-checks";
import { eventually } from "../support/redis-streams";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";

// Events for a busy subscriber socket are written together within
// WS_COALESCE_MS (src/graphql/frame-coalescing.ts); a quiet socket gets its
// next event at once. A long window here makes both visible.

const WINDOW_MS = 3000;
let service: TestService;
let admin: Caller;

beforeAll(async () => {
  service = await startTestService({ WS_COALESCE_MS: String(WINDOW_MS) });
  admin = await service.caller({ roles: ["admin"] });
}, 60_000);
afterAll(() => service?.stop());

/** A graphql-ws subscriber on a raw socket that notes when each event arrives. */
async function countingSubscriber(token: string) {
  const socket = new WebSocket(service.url.replace(/^http/, "ws"), "graphql-transport-ws");
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  const counts = { events: [] as { leadId: string; at: number }[] };
  const acknowledged = new Promise<void>((resolve) => socket.once("message", () => resolve()));
  socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
  await acknowledged;
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    if (message.type === "next") counts.events.push({ leadId: message.payload.data.leadEvents.leadId, at: performance.now() });
  });
  socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription { leadEvents(types: [LEAD_CAPTURED]) { leadId } }" } }));
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { socket, counts };
}

describe("frames for a busy subscriber socket are written together", () => {
  it("a quiet socket's event is written at once; the rest of a burst is held to the window's end, complete and in order", async () => {
    const { socket, counts } = await countingSubscriber(admin.token);
    try {
      const sent = performance.now();
      const lone = dataOf(await admin.gql(CAPTURE, { input: aCapture() })).captureLead;
      await eventually(async () => counts.events.length, (n) => n === 1, 10_000);
      expect(counts.events[0].leadId).toBe(lone.id);
      // Far sooner than the window: nothing held it.
      expect(counts.events[0].at - sent).toBeLessThan(WINDOW_MS / 2);

      // Quiet again for longer than the window, then a burst.
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 200));
      const imported = dataOf(await admin.gql(IMPORT, { input: { leads: Array.from({ length: 200 }, () => aCapture()) } })).importLeads;
      await eventually(async () => counts.events.length, (n) => n === 201, 15_000);
      expect(counts.events.slice(1).map((event) => event.leadId)).toEqual(imported.rows.map((row: { lead: { id: string } }) => row.lead.id));
      // The burst's first event went at once (the socket had been quiet); the next ones, coming
      // milliseconds later, were held to the end of the window and written together.
      const [first, second, last] = [counts.events[1], counts.events[2], counts.events[200]];
      expect(second.at - first.at).toBeGreaterThan(WINDOW_MS / 3);
      expect(last.at - second.at).toBeLessThan(WINDOW_MS / 3);
    } finally {
      socket.close();
    }
  }, 60_000);
});
