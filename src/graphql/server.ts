import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import cors from "cors";
import express, { type ErrorRequestHandler } from "express";
import type { Tracer } from "@opentelemetry/api";
import type { GraphQLSchema } from "graphql";
import { WebSocketServer } from "ws";
import type { Authenticate } from "../infrastructure/auth/token-verifier";
import type { Logger } from "../infrastructure/logger";
import type { Metrics } from "../infrastructure/metrics";
import type { ApiServices, RequestContext } from "./context";
import { CompiledExecution } from "./compiled-execution";
import { directExecutor } from "./direct-execution";
import { graphqlHttpHandler } from "./graphql-http-handler";
import { serveGraphqlWs } from "./graphql-ws-handler";
import type { RequestGuard } from "./request-guard";
import type { SubscriptionCap } from "./subscription-cap";
import { observabilityPlugin } from "./observability-plugin";
import { OperationPipeline } from "./operation-pipeline";
import { tracingPlugin } from "./tracing-plugin";

/** How long a slow or idle client may hold a connection (docs/operations.md says why these values). */
export interface ConnectionTimeouts {
  /** The whole request, headers and body, must arrive within this (Node answers 408 and closes). */
  requestMs: number;
  /** The headers must arrive within this. */
  headersMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveMs: number;
  /** A WebSocket must send graphql-ws's `connection_init` within this (closed with 4408). */
  connectionInitMs: number;
}

export const DEFAULT_CONNECTION_TIMEOUTS: ConnectionTimeouts = {
  requestMs: 30_000,
  headersMs: 10_000,
  keepAliveMs: 5_000,
  connectionInitMs: 3_000,
};

export interface HttpServerOptions {
  schema: GraphQLSchema;
  services: ApiServices;
  authenticate: Authenticate;
  logger: Logger;
  host: string;
  port: number;
  production: boolean;
  corsOrigins: string[];
  /** Readiness: resolves with each dependency's state; `ok` false means 503. */
  readiness: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  metrics: Metrics;
  /** Stands around each GraphQL HTTP request (rate limits, idempotency keys). */
  requestGuard: RequestGuard;
  /** The per-tenant cap on open subscriptions. */
  subscriptionCap: SubscriptionCap;
  /** Refreshes gauges read from elsewhere (the outbox backlog) before a scrape. */
  beforeScrape?: () => Promise<void>;
  timeouts?: ConnectionTimeouts;
  /** With tracing on (docs/operations.md, "Tracing"). */
  tracer?: Tracer;
  /** Bytes a subscriber's socket may have waiting before it is closed as too slow (slow-subscribers.ts). */
  subscriberMaxBufferedBytes: number;
  /** Events for a busy subscriber socket written together within this window (frame-coalescing.ts). */
  subscriberCoalesceWindowMs: number;
  /** See CompiledExecution (default 1: a document is compiled on its second use). */
  compileDocumentsAfterUses?: number;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  httpServer: Server;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
}

/** HTTP (queries, mutations, probes) and graphql-ws (subscriptions) on one port. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { schema, services, authenticate, logger } = options;
  const app = express();
  app.disable("x-powered-by");
  // GraphQL on its own handler (the hot path); express serves the probes and metrics.
  let graphql: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const timeouts = options.timeouts ?? DEFAULT_CONNECTION_TIMEOUTS;
  const httpServer = createServer(
    {
      requestTimeout: timeouts.requestMs,
      headersTimeout: timeouts.headersMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      // Node looks for expired requests every 30 s by default, which would stretch every bound above by up to that.
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, timeouts.headersMs / 2, timeouts.requestMs / 2)),
    },
    (req, res) => {
      const path = req.url?.split("?", 1)[0];
      if (graphql && (path === "/graphql" || path === "/graphql/")) graphql(req, res);
      else app(req, res);
    },
  );
  // Set again as properties: not every Node version reads all of them from the options.
  httpServer.requestTimeout = timeouts.requestMs;
  httpServer.headersTimeout = timeouts.headersMs;
  httpServer.keepAliveTimeout = timeouts.keepAliveMs;

  // One pipeline for both transports: the same parsing, validation, limits, contexts and error formatting.
  const pipeline = new OperationPipeline({ schema, services, production: options.production, logger });
  const direct = directExecutor(pipeline, options.metrics, logger, new CompiledExecution(schema, options.compileDocumentsAfterUses, () => options.metrics.documentsCompiled.inc()));
  let draining = false;

  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: 1024 * 1024 });
  const wsCleanup = serveGraphqlWs(wsServer, pipeline, {
    authenticate,
    metrics: options.metrics,
    logger,
    connectionInitWaitTimeoutMs: timeouts.connectionInitMs,
    subscriptionCap: options.subscriptionCap,
    maxBufferedBytes: options.subscriberMaxBufferedBytes,
    coalesceWindowMs: options.subscriberCoalesceWindowMs,
  });

  const apollo = new ApolloServer<RequestContext>({
    schema,
    logger,
    // The pipeline's validation rules carry the production ban on introspection, for both transports.
    introspection: true,
    validationRules: pipeline.validationRules,
    includeStacktraceInErrorResponses: false,
    // The process owns SIGTERM/SIGINT (main.ts stops everything in order). Apollo's own
    // handler would stop only itself and then re-raise the signal, killing the process
    // before the pools and the embedded database are closed.
    stopOnTerminationSignals: false,
    // Compact JSON: Apollo pretty-prints by default, which doubles a list page's bytes and its cost.
    stringifyResult: (result) => JSON.stringify(result),
    formatError: pipeline.formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No cache hints in this schema: without this, every resolved field pays for the cache-control hook.
      ApolloServerPluginCacheControlDisabled(),
      observabilityPlugin(schema, options.metrics, logger),
      ...(options.tracer ? [tracingPlugin()] : []),
      pipeline.apolloPlugin(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              // From here Apollo answers every request (refusing them once stopped), as before.
              draining = true;
              await wsCleanup.dispose();
            },
          };
        },
      },
      ...(options.production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();

  app.get("/health", (_req, res) => {
    res.json({ status: "ok", uptimeSeconds: Math.round(process.uptime()) });
  });
  app.get("/ready", async (_req, res) => {
    const { ok, checks } = await options.readiness();
    res.status(ok ? 200 : 503).json({ status: ok ? "ready" : "not ready", ...checks });
  });
  app.get("/metrics", async (_req, res) => {
    await options.beforeScrape?.().catch((error: unknown) => logger.warn({ err: error }, "metrics refresh failed"));
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  graphql = graphqlHttpHandler(apollo, {
    cors: cors({ origin: options.corsOrigins.length ? options.corsOrigins : false, credentials: true }),
    contextOf: async (req) => pipeline.newContext(await authenticate(req.headers.authorization), requestIdOf(req)),
    maxBodyBytes: MAX_BODY_BYTES,
    logger,
    guard: options.requestGuard,
    direct: (request) => (draining ? null : direct(request)),
    tracer: options.tracer,
  });
  // Whatever fails in a probe answers without a stack.
  const internalError: ErrorRequestHandler = (error, _req, res, _next) => {
    logger.error({ err: error }, "unexpected HTTP error");
    res.status(500).json({ errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
  };
  app.use(internalError);

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    httpServer,
    stop: () => apollo.stop(),
  };
}
