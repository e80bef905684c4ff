import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface Subscriber {
  received: Record<string, any>[];
  errors: unknown[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once `count` events arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Record<string, any>[]>;
  dispose(): Promise<void>;
}

/** A graphql-ws client subscribed to leadEvents, as a live dashboard would be. */
export async function subscribe(
  httpUrl: string,
  token: string | null,
  query = `subscription($leadId: ID, $types: [LeadEventType!]) { leadEvents(leadId: $leadId, types: $types) {
    eventId type leadId version occurredAt actorId payload lead { id status version score } } }`,
  variables: Record<string, unknown> = {},
): Promise<Subscriber> {
  let closedWith!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (closedWith = resolve));
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  const client: Client = createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {}, // a refused connection is asserted through `closed`, not printed
    on: {
      connected: () => connected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closedWith({ code, reason: String(reason) });
        connected();
      },
    },
  });
  const received: Record<string, any>[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];
  client.subscribe(
    { query, variables },
    {
      next: (message) => {
        if (message.errors) errors.push(message.errors);
        if (message.data) received.push((message.data as Record<string, any>).leadEvents);
        for (const wake of waiters.splice(0)) wake();
      },
      error: (error) => {
        errors.push(error);
        for (const wake of waiters.splice(0)) wake();
      },
      complete: () => {},
    },
  );
  await ready;
  // The subscribe message is sent right after connection_ack; give the server a moment to attach it.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    received,
    errors,
    closed,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (errors.length) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`waited for ${count} events, got ${received.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, Math.min(left, 200));
        });
      }
      return received;
    },
    async dispose() {
      await client.dispose();
    },
  };
}
