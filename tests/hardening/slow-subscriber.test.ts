import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { aCapture } from "../api/operations";
import { IMPORT } from "../cache/cache-checks";
import { eventually } from "../support/redis-streams";
import { subscribe, type Subscriber } from "../support/subscriber";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";

// A subscriber whose client stops reading must not make the instance keep its
// events without bound (src/graphql/slow-subscribers.ts): past
// WS_MAX_BUFFERED_BYTES waiting, its socket is closed with 1013 (Try Again
// Later); subscribers that read go on receiving every event.

const EVENT_FIELDS = `eventId type leadId version occurredAt payload lead { id name email phone company source status score tags createdAt updatedAt }`;
const SUBSCRIPTIONS_ON_THE_STALLED_SOCKET = 20;
const LEADS = 1000;

let service: TestService;
let admin: Caller;
let reader: Subscriber | undefined;

beforeAll(async () => {
  service = await startTestService({ WS_MAX_BUFFERED_BYTES: String(256 * 1024) });
  admin = await service.caller({ roles: ["admin"] });
}, 60_000);
afterAll(async () => {
  await reader?.dispose();
  await service?.stop();
});

/** A graphql-ws client on a raw socket: it subscribes, then stops reading (its TCP socket paused). */
async function stalledSubscriber(token: string) {
  const socket = new WebSocket(service.url.replace(/^http/, "ws"), "graphql-transport-ws");
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once("close", (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  const acknowledged = new Promise<void>((resolve) => socket.once("message", () => resolve()));
  socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
  await acknowledged;
  for (let k = 0; k < SUBSCRIPTIONS_ON_THE_STALLED_SOCKET; k++) {
    socket.send(JSON.stringify({ id: `s${k}`, type: "subscribe", payload: { query: `subscription { leadEvents { ${EVENT_FIELDS} } }` } }));
  }
  return { socket, closed, stopReading: () => (socket as unknown as { _socket: { pause(): void } })._socket.pause(), readAgain: () => (socket as unknown as { _socket: { resume(): void } })._socket.resume() };
}

const slowClosed = async () => {
  const text = await (await fetch(service.url.replace(/\/graphql$/, "/metrics"))).text();
  return Number(/^crm_slow_subscribers_closed_total (\d+)/m.exec(text)?.[1] ?? 0);
};

describe("a subscriber that stops reading", () => {
  it("is closed with 1013 once its unread events pass the bound; a reading subscriber gets every event", async () => {
    reader = await subscribe(service.url, admin.token, `subscription { leadEvents(types: [LEAD_CAPTURED]) { eventId leadId } }`);
    const stalled = await stalledSubscriber(admin.token);
    // Let the subscriptions start before the events come (a subscription gets the events after it started).
    await new Promise((resolve) => setTimeout(resolve, 500));
    stalled.stopReading();
    expect(await slowClosed()).toBe(0);

    // 1,000 captures, each sent 20 times to the stalled socket (~1 KB each): far more than the
    // socket buffers of both ends hold, so the rest waits in the instance.
    const rows = Array.from({ length: LEADS }, () => aCapture({ company: "A company with a long enough name", phone: "+14155550100", tags: ["one", "two"] }));
    const imported = dataOf(await admin.gql(IMPORT, { input: { leads: rows } })).importLeads;
    expect(imported.imported).toBe(LEADS);

    await eventually(slowClosed, (count) => count === 1, 30_000);
    stalled.readAgain();
    const { code, reason } = await stalled.closed;
    expect(code).toBe(1013);
    expect(reason).toMatch(/too slow/i);

    const received = await reader.waitFor(LEADS, 30_000);
    expect(new Set(received.map((event) => event.eventId)).size).toBe(LEADS);
    expect(await slowClosed()).toBe(1);
  }, 90_000);
});
