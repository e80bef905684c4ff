import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

/** What one operation on a socket received: results (`next`), errors (`error`), and whether it ended. */
export interface SocketOperation {
  results: Record<string, any>[];
  errors: { message: string; extensions?: Record<string, any> }[];
  completed: boolean;
  /** Resolves once `done()` holds (rejects after `timeoutMs`). */
  until(done: (operation: SocketOperation) => boolean, timeoutMs?: number): Promise<SocketOperation>;
  /** Sends `complete` for this operation. */
  stop(): void;
}

export interface GraphqlSocket {
  /** Sends a subscribe message for `query`; results and errors land on the returned operation. */
  run(query: string, variables?: Record<string, unknown>): SocketOperation;
  /** Set once the server closed the socket. */
  closedWith: { code: number; reason: string } | null;
  dispose(): Promise<void>;
}

/** A graphql-ws socket opened with `token`, able to run several operations side by side. */
export async function openGraphqlSocket(httpUrl: string, token: string): Promise<GraphqlSocket> {
  let connected!: () => void;
  let refused!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    connected = resolve;
    refused = reject;
  });
  const socket: GraphqlSocket = {
    closedWith: null,
    run,
    dispose: async () => {
      await client.dispose();
    },
  };
  const client: Client = createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
    on: {
      connected: () => connected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        socket.closedWith = { code, reason: String(reason) };
        refused(new Error(`socket closed with ${code}`));
      },
    },
  });
  await ready;

  function run(query: string, variables: Record<string, unknown> = {}): SocketOperation {
    const wakers: (() => void)[] = [];
    const wake = () => wakers.splice(0).forEach((resume) => resume());
    const operation: SocketOperation = {
      results: [],
      errors: [],
      completed: false,
      async until(done, timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs;
        while (!done(operation)) {
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`gave up waiting: ${JSON.stringify({ results: operation.results, errors: operation.errors, closed: socket.closedWith })}`);
          await new Promise<void>((resolve) => {
            wakers.push(resolve);
            setTimeout(resolve, Math.min(left, 100));
          });
        }
        return operation;
      },
      stop: () => unsubscribe(),
    };
    const unsubscribe = client.subscribe(
      { query, variables },
      {
        next: (result) => {
          operation.results.push(result as Record<string, any>);
          wake();
        },
        error: (error) => {
          operation.errors.push(...(Array.isArray(error) ? error : [{ message: String((error as Error)?.message ?? error) }]));
          operation.completed = true;
          wake();
        },
        complete: () => {
          operation.completed = true;
          wake();
        },
      },
    );
    return operation;
  }

  return socket;
}
