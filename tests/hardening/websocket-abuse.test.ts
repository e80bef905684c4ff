import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, startTestService, type Caller, type TestService } from "../support/test-service";

let service: TestService;
let caller: Caller;

beforeAll(async () => {
  service = await startTestService();
  caller = await service.caller();
});
afterAll(() => service?.stop());

/** Opens a raw graphql-ws socket, sends `messages`, resolves with the close code. */
function closeCodeAfter(messages: (string | Buffer)[], init = true): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(service.url.replace("http", "ws"), "graphql-transport-ws");
    const timer = setTimeout(() => reject(new Error("the server kept the socket open")), 10_000);
    const sendAll = () => messages.forEach((message) => socket.send(message));
    socket.on("open", () => {
      if (!init) return sendAll();
      socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${caller.token}` } }));
    });
    // After connection_ack, so the server judges the messages themselves, not the handshake.
    socket.on("message", (data) => {
      if (init && JSON.parse(String(data)).type === "connection_ack") sendAll();
    });
    socket.on("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    socket.on("error", () => {});
  });
}

describe("hostile graphql-ws clients", () => {
  it("an unknown message type closes the socket with 4400", async () => {
    expect(await closeCodeAfter([JSON.stringify({ type: "take_over_the_world" })])).toBe(4400);
  });

  it("garbage and non-JSON close the socket with 4400", async () => {
    expect(await closeCodeAfter(["{not json"])).toBe(4400);
    expect(await closeCodeAfter([Buffer.from([0xff, 0x00, 0xfe])])).toBe(4400);
  });

  it("a subscribe before connection_init is refused (4401)", async () => {
    const subscribe = JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription { leadEvents { eventId } }" } });
    expect(await closeCodeAfter([subscribe], false)).toBe(4401);
  });

  it("a message over 1 MB closes the socket (1009)", async () => {
    expect(await closeCodeAfter([JSON.stringify({ type: "ping", payload: { pad: "x".repeat(1_100_000) } })])).toBe(1009);
  });

  it("a flood of subscribe messages with one id closes the socket (4409) and the server carries on", async () => {
    const flood = Array.from({ length: 1000 }, () => JSON.stringify({ id: "same", type: "subscribe", payload: { query: "subscription { leadEvents { eventId } }" } }));
    expect(await closeCodeAfter(flood)).toBe(4409);
    expect((await fetch(service.url.replace("/graphql", "/health"))).status).toBe(200);
    expect(dataOf(await caller.gql("{ leads { totalCount } }")).leads.totalCount).toBe(0);
  });
});
