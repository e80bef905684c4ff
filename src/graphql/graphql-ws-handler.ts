import { randomUUID } from "node:crypto";
import { createSourceEventStream, execute, GraphQLError, OperationTypeNode, type ExecutionArgs, type ExecutionResult } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { WebSocket, WebSocketServer } from "ws";
import { onceEnded, type LiveEventStream } from "../application/live-event-stream";
import type { AuthState } from "../infrastructure/auth/principal";
import type { Authenticate } from "../infrastructure/auth/token-verifier";
import type { Logger } from "../infrastructure/logger";
import type { Metrics } from "../infrastructure/metrics";
import type { RequestContext } from "./context";
import type { OperationPipeline } from "./operation-pipeline";
import { SharedSubscriptions, type ShapeRuntime } from "./shared-subscriptions";
import { slowSubscriberGuard } from "./slow-subscribers";
import { FrameCoalescing } from "./frame-coalescing";
import type { SubscriptionCap } from "./subscription-cap";
import { subscriptionShapeOf } from "./subscription-shape";

export interface GraphqlWsOptions {
  authenticate: Authenticate;
  metrics: Metrics;
  logger: Logger;
  /** How long a socket may stay open without `connection_init` (graphql-ws closes it with 4408). */
  connectionInitWaitTimeoutMs: number;
  /** The per-tenant cap on open subscriptions (closes the socket with 4429 past it). */
  subscriptionCap: SubscriptionCap;
  /** Bytes a subscriber's socket may have waiting before it is closed as too slow (slow-subscribers.ts). */
  maxBufferedBytes: number;
  /** Events for a busy socket written together within this window (frame-coalescing.ts); 0: each at once. */
  coalesceWindowMs: number;
}

/** What a socket keeps between messages: who opened it, nothing built from it. */
type SocketState = { auth?: AuthState };

/** Where an admitted subscription's events go, and the shape it may share (null: executed for it alone). */
type Subscriber = { socket: WebSocket; id: string; shape: string | null };

// graphql-ws close code for a connection whose credentials no longer hold.
const CLOSE_FORBIDDEN = 4403;

/** A live subscription ends when the token that opened it does. */
function closeWhenTokenExpires(socket: WebSocket, expiresAt: number | null): void {
  if (expiresAt === null) return;
  const timer = setTimeout(() => socket.close(CLOSE_FORBIDDEN, "Token expired"), Math.max(0, expiresAt * 1000 - Date.now()));
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}

const TOO_MANY_SUBSCRIPTIONS = new GraphQLError("Too many open subscriptions for this tenant", { extensions: { code: "RATE_LIMITED" } });

function internalError(): GraphQLError {
  return new GraphQLError("Internal server error", { extensions: { code: "INTERNAL_SERVER_ERROR" } });
}

/**
 * Maps each event of `source` with `map`, one at a time. Written out rather
 * than as an async generator: a generator waiting for the next event cannot
 * be returned until that event comes, while `return()` here reaches the
 * source at once (a closed socket lets go of its subscriptions).
 */
function mapEvents<T, R>(source: AsyncIterable<T>, map: (event: T) => Promise<R>, ended: () => void): AsyncGenerator<R, undefined> {
  const events = source[Symbol.asyncIterator]();
  const done = { value: undefined, done: true } as const;
  let open = true;
  const end = () => {
    if (open) ended();
    open = false;
  };
  const mapped: AsyncGenerator<R, undefined> = {
    async next() {
      let step: IteratorResult<T>;
      try {
        step = await events.next();
      } catch (error) {
        end();
        throw error;
      }
      if (step.done) end();
      return step.done ? done : { value: await map(step.value), done: false };
    },
    async return() {
      end();
      await events.return?.();
      return done;
    },
    async throw(error: unknown) {
      end();
      if (events.throw) await events.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}

/**
 * graphql-ws on the HTTP server's port, carrying subscriptions only (queries
 * and mutations go over HTTP, where every other limit of the service
 * applies). Every subscribe passes the operation pipeline: parse, validate,
 * query limits, its own context; each event is executed with a context of
 * its own, so nothing read for one event (a lead, its activities) is served
 * stale to the next. A bad subscribe is answered with an `error` message for
 * its id; the socket and its other subscriptions carry on.
 *
 * Subscribers of the same shape (subscription-shape.ts: document, variables,
 * tenant, roles) share one event source and one execution per event; the
 * result is serialized once and its bytes go to every subscriber's socket
 * (shared-subscriptions.ts). A resumed subscription (`after`) runs alone.
 */
export function serveGraphqlWs(wsServer: WebSocketServer, pipeline: OperationPipeline, options: GraphqlWsOptions) {
  const { logger, metrics } = options;
  // An error thrown by a subscription's event stream arrives wrapped without a path: judge what it wraps.
  // `recipients`: a shared result's errors are formatted once and counted once per subscriber that receives them.
  const format = (errors: readonly GraphQLError[], recipients = 1) =>
    errors.map((error) => {
      const formatted = pipeline.formatError(error.toJSON(), error.path || !error.originalError ? error : error.originalError);
      // Counted as the HTTP side counts its errors (observability plugin).
      if (recipients > 0) metrics.errors.inc({ code: String(formatted.extensions?.code ?? "INTERNAL_SERVER_ERROR") }, recipients);
      return formatted;
    });
  const subscribers = new WeakMap<ExecutionArgs, Subscriber>();
  const tooSlow = slowSubscriberGuard(options.maxBufferedBytes, () => metrics.slowSubscribersClosed.inc());
  const coalescing = new FrameCoalescing(options.coalesceWindowMs);
  const shared = new SharedSubscriptions(
    () => metrics.subscriptionExecutions.inc(),
    (count) => metrics.subscriptionDeliveries.inc(count),
    { beforeSend: (socket) => coalescing.beforeSend(socket), afterSend: tooSlow },
  );
  /** Counted in crm_active_subscriptions from the moment its stream started, uncounted once when it ends. */
  const counted = <T>(stream: LiveEventStream<T>): LiveEventStream<T> => {
    metrics.activeSubscriptions.inc();
    return onceEnded(stream, () => metrics.activeSubscriptions.dec());
  };
  /** One event executed with a context of its own, so nothing read for one event is served stale to the next. */
  const executeEvent = async (args: ExecutionArgs, operation: RequestContext, event: unknown): Promise<ExecutionResult> => {
    const context = pipeline.newContext(operation.auth, operation.requestId);
    pipeline.begin(context, OperationTypeNode.SUBSCRIPTION);
    try {
      return (await execute({ ...args, rootValue: event, contextValue: context })) as ExecutionResult;
    } finally {
      pipeline.end(context);
    }
  };
  const startSource = async (args: ExecutionArgs): Promise<AsyncIterator<unknown> | ExecutionResult> => {
    try {
      const source = await createSourceEventStream(args);
      return Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source;
    } catch (error) {
      logger.error({ err: error }, "unexpected error starting a subscription");
      return { errors: [internalError()] };
    }
  };
  const shapeRuntime = (args: ExecutionArgs): ShapeRuntime => ({
    start: () => startSource(args),
    execute: (event) => executeEvent(args, args.contextValue as RequestContext, event),
    serialize: ({ errors, ...rest }, recipients) => JSON.stringify(errors?.length ? { ...rest, errors: format(errors, recipients) } : rest),
  });

  return useServer<Record<string, unknown>, SocketState>(
    {
      schema: pipeline.schema,
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs,
      // The token travels in connection_init: {"authorization": "Bearer <JWT>"}.
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        const auth = await options.authenticate(typeof authorization === "string" ? authorization : undefined);
        if (auth.kind !== "authenticated") return false;
        ctx.extra.auth = auth;
        closeWhenTokenExpires(ctx.extra.socket, auth.principal.expiresAt);
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        try {
          const prepared = pipeline.prepare(payload);
          if (Array.isArray(prepared)) return prepared;
          if (prepared.operation.operation !== OperationTypeNode.SUBSCRIPTION) {
            return [new GraphQLError("This socket carries subscriptions only: send queries and mutations over HTTP", { extensions: { code: "BAD_REQUEST" } })];
          }
          if (!(await options.subscriptionCap.admit(ctx.extra.socket, ctx.extra.auth, id))) return [TOO_MANY_SUBSCRIPTIONS];
          const args: ExecutionArgs = {
            schema: pipeline.schema,
            document: prepared.document,
            operationName: prepared.operationName,
            variableValues: prepared.variableValues,
            contextValue: pipeline.newContext(ctx.extra.auth ?? { kind: "anonymous" }, randomUUID()),
          };
          subscribers.set(args, { socket: ctx.extra.socket, id, shape: subscriptionShapeOf(pipeline.schema, String(payload.query), prepared, ctx.extra.auth) });
          return args;
        } catch (error) {
          logger.error({ err: error }, "unexpected error preparing a subscription");
          return [internalError()];
        }
      },
      // crm_active_subscriptions counts a subscription whose stream started (a refused one never),
      // shared or not, and uncounts it exactly once when it ends.
      subscribe: async (args) => {
        const operation = args.contextValue as RequestContext;
        const subscriber = subscribers.get(args);
        if (subscriber?.shape) {
          const joined = await shared.subscribe(subscriber.shape, subscriber.socket, subscriber.id, () => shapeRuntime(args));
          return "next" in joined ? counted(joined) : joined;
        }
        const source = await startSource(args);
        if (!("next" in source) || typeof source.next !== "function") return source as ExecutionResult;
        metrics.activeSubscriptions.inc();
        const events = { [Symbol.asyncIterator]: () => source as AsyncIterator<unknown> };
        return mapEvents(
          events,
          async (event) => {
            const result = await executeEvent(args, operation, event);
            metrics.subscriptionExecutions.inc();
            return result;
          },
          () => metrics.activeSubscriptions.dec(),
        );
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        metrics.subscriptionDeliveries.inc();
        // Before this event is sent: a socket closed here sends nothing more (graphql-ws skips a closed socket).
        tooSlow(ctx.extra.socket);
        const { errors, ...rest } = result as ExecutionResult;
        return errors?.length ? { ...rest, errors: format(errors) } : undefined;
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onComplete: (ctx, id) => {
        options.subscriptionCap.release(ctx.extra.socket, id);
      },
    },
    wsServer,
  );
}
