import { connect, type Socket } from "node:net";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONNECTION_TIMEOUTS } from "../../src/graphql/server";
import { ConfigError, loadConfig } from "../../src/infrastructure/config";
import { aCapture, CAPTURE } from "../api/operations";
import { subscribe } from "../support/subscriber";
import { dataOf, startTestService, type TestService } from "../support/test-service";

// A client that sends its request slowly must not hold a connection for
// minutes (Node's default request timeout was 300 s, checked every 30 s).
// The bounds are configurable so this test can use small ones.

const SMALL = { requestMs: 2_000, headersMs: 1_000, connectionInitMs: 1_000 };
// Generous: the bound plus Node's check interval plus a loaded machine.
const CLOSED_WITHIN_MS = 10_000;

let service: TestService;

beforeAll(async () => {
  service = await startTestService({
    HTTP_REQUEST_TIMEOUT_MS: String(SMALL.requestMs),
    HTTP_HEADERS_TIMEOUT_MS: String(SMALL.headersMs),
    WS_CONNECTION_INIT_TIMEOUT_MS: String(SMALL.connectionInitMs),
  });
});
afterAll(() => service?.stop());

/** Opens a raw TCP connection, sends `start`, then one byte of `drip` a second; resolves when the server closes it. */
function trickle(start: string, drip: string): Promise<{ closedAfterMs: number; answer: string; bytesSent: number }> {
  const { port } = new URL(service.url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = "";
    let bytesSent = 0;
    const socket: Socket = connect(Number(port), "127.0.0.1", () => socket.write(start));
    const dripper = setInterval(() => {
      if (bytesSent < drip.length && !socket.destroyed) socket.write(drip[bytesSent++]);
    }, 1_000);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server still held the connection after ${CLOSED_WITHIN_MS} ms`));
    }, CLOSED_WITHIN_MS);
    socket.on("data", (data) => (answer += data.toString()));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(dripper);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - started, answer, bytesSent });
    });
  });
}

describe("slow clients are cut off", () => {
  it("a body trickled a byte a second after complete headers: 408 and closed once the request bound passes", async () => {
    const body = JSON.stringify({ query: "{ __typename }" }).padEnd(200, " ");
    const headers = `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { closedAfterMs, answer, bytesSent } = await trickle(headers, body);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(bytesSent).toBeLessThan(body.length);
    expect(closedAfterMs).toBeGreaterThanOrEqual(SMALL.requestMs - 100);
  });

  it("headers trickled a byte a second: closed once the headers bound passes", async () => {
    const { answer, bytesSent } = await trickle("GET /health HTTP/1.1\r\n", "X-Slow: " + "a".repeat(100));
    expect(answer === "" || /^HTTP\/1\.1 408/.test(answer)).toBe(true);
    expect(bytesSent).toBeLessThan(100);
  });

  it("a WebSocket that never sends connection_init is closed with 4408", async () => {
    const socket = new WebSocket(service.url.replace("http", "ws"), "graphql-transport-ws");
    const code = await new Promise<number>((resolve, reject) => {
      const giveUp = setTimeout(() => reject(new Error("the server kept the socket open")), CLOSED_WITHIN_MS);
      socket.on("close", (closeCode) => {
        clearTimeout(giveUp);
        resolve(closeCode);
      });
      socket.on("error", () => {});
    });
    expect(code).toBe(4408);
  });

  it("a live subscription outlasts the request bound: it is no slow request", async () => {
    const caller = await service.caller({ roles: ["sales_rep"] });
    const live = await subscribe(service.url, caller.token);
    try {
      await new Promise((resolve) => setTimeout(resolve, SMALL.requestMs + 1_500));
      const lead = dataOf(await caller.gql(CAPTURE, { input: aCapture() })).captureLead;
      expect((await live.waitFor(1))[0]).toMatchObject({ type: "LEAD_CAPTURED", leadId: lead.id });
    } finally {
      await live.dispose();
    }
  });
});

describe("the bounds by default", () => {
  it("are 30 s for a request, 10 s for headers, 5 s keep-alive, 3 s for connection_init", async () => {
    expect(DEFAULT_CONNECTION_TIMEOUTS).toEqual({ requestMs: 30_000, headersMs: 10_000, keepAliveMs: 5_000, connectionInitMs: 3_000 });
    expect(loadConfig({}).timeouts).toEqual(DEFAULT_CONNECTION_TIMEOUTS);
    const byDefault = await startTestService();
    try {
      const { httpServer } = byDefault.service;
      expect([httpServer.requestTimeout, httpServer.headersTimeout, httpServer.keepAliveTimeout]).toEqual([30_000, 10_000, 5_000]);
    } finally {
      await byDefault.stop();
    }
    const small = service.service.httpServer;
    expect([small.requestTimeout, small.headersTimeout]).toEqual([SMALL.requestMs, SMALL.headersMs]);
  });

  it("refuses a headers bound longer than the request bound, naming the variable", () => {
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: "1000", HTTP_HEADERS_TIMEOUT_MS: "2000" })).toThrow(ConfigError);
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: "1000", HTTP_HEADERS_TIMEOUT_MS: "2000" })).toThrow(/HTTP_HEADERS_TIMEOUT_MS/);
  });
});
