import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import cors from "cors";
import express, { type ErrorRequestHandler } from "express";
import type { GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { Authenticate } from "../infrastructure/auth/token-verifier";
import type { Logger } from "../infrastructure/logger";
import type { Metrics } from "../infrastructure/metrics";
import { createRequestContext, type ApiServices, type RequestContext } from "./context";
import { RequestReadSession } from "../infrastructure/read-store/request-read-session";
import { createErrorFormatter } from "./errors";
import { graphqlHttpHandler } from "./graphql-http-handler";
import { observabilityPlugin } from "./observability-plugin";
import { queryLimitsPlugin } from "./query-limits";

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
  /** Refreshes gauges read from elsewhere (the outbox backlog) before a scrape. */
  beforeScrape?: () => Promise<void>;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  httpServer: Server;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
// graphql-ws close code for a connection whose credentials no longer hold.
const CLOSE_FORBIDDEN = 4403;

/** A live subscription ends when the token that opened it does. */
function closeWhenTokenExpires(socket: WebSocket, expiresAt: number | null): void {
  if (expiresAt === null) return;
  const timer = setTimeout(() => socket.close(CLOSE_FORBIDDEN, "Token expired"), Math.max(0, expiresAt * 1000 - Date.now()));
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}

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
  const httpServer = createServer((req, res) => {
    const path = req.url?.split("?", 1)[0];
    if (graphql && (path === "/graphql" || path === "/graphql/")) graphql(req, res);
    else app(req, res);
  });

  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: 1024 * 1024 });
  const wsCleanup = useServer<Record<string, unknown>, { context?: RequestContext }>(
    {
      schema,
      // The token travels in connection_init: {"authorization": "Bearer <JWT>"}.
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        const auth = await authenticate(typeof authorization === "string" ? authorization : undefined);
        if (auth.kind !== "authenticated") return false;
        ctx.extra.context = createRequestContext(services, auth, randomUUID());
        closeWhenTokenExpires(ctx.extra.socket, auth.principal.expiresAt);
        return true;
      },
      context: (ctx) => ctx.extra.context as RequestContext,
      onSubscribe: () => {
        options.metrics.activeSubscriptions.inc();
      },
      onComplete: () => {
        options.metrics.activeSubscriptions.dec();
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<RequestContext>({
    schema,
    logger,
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    // Compact JSON: Apollo pretty-prints by default, which doubles a list page's bytes and its cost.
    stringifyResult: (result) => JSON.stringify(result),
    formatError: createErrorFormatter((error) => logger.error({ err: error }, "unexpected error in a resolver")),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No cache hints in this schema: without this, every resolved field pays for the cache-control hook.
      ApolloServerPluginCacheControlDisabled(),
      observabilityPlugin(schema, options.metrics, logger),
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ operation, contextValue }) {
              // A mutation's answer must show its own write: read it from the primary.
              if (operation?.operation === "mutation") contextValue.readYourWrites = true;
              // A query's reads share one transaction (and one tenant setting).
              if (operation?.operation === "query" && contextValue.auth.kind === "authenticated") {
                contextValue.readSession = new RequestReadSession(contextValue.services.reads, contextValue.auth.principal.tenantId);
              }
            },
            async willSendResponse({ contextValue }) {
              // The read-only transaction's COMMIT need not delay the answer.
              void contextValue.readSession?.close();
            },
          };
        },
      },
      queryLimitsPlugin(schema),
      {
        async serverWillStart() {
          return {
            async drainServer() {
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
    contextOf: async (req) => createRequestContext(services, await authenticate(req.headers.authorization), requestIdOf(req)),
    maxBodyBytes: MAX_BODY_BYTES,
    logger,
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
