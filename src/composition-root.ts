import { randomUUID } from "node:crypto";
import type { CommandDeps } from "./application/commands/command-deps";
import { createTokenVerifier } from "./infrastructure/auth/token-verifier";
import type { Config } from "./infrastructure/config";
import { InProcessEventBus } from "./infrastructure/events/in-process-event-bus";
import type { Logger } from "./infrastructure/logger";
import { createPrismaClient } from "./infrastructure/prisma/prisma-client";
import { PrismaUnitOfWork } from "./infrastructure/prisma/prisma-unit-of-work";
import { tenantScoped, type TenantScopedPrisma } from "./infrastructure/prisma/tenant-db";
import type { ApiServices } from "./graphql/context";
import { buildCrmSubgraphSchema } from "./graphql/schema";
import { startHttpServer } from "./graphql/server";

export interface CrmService {
  url: string;
  port: number;
  /** For the dev seed and tests that drive the application directly. */
  commands: CommandDeps;
  reads: TenantScopedPrisma;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  logger: Logger;
  /** Called with each SQL statement (tests count them). */
  onQuery?: (query: string) => void;
}

const PROBE_TIMEOUT_MS = 2000;

/** Resolves with `fallback` if `work` takes longer than the probe may wait. */
function withinProbeTimeout<T>(work: Promise<T>, fallback: T): Promise<T> {
  return Promise.race([work.catch(() => fallback), new Promise<T>((resolve) => setTimeout(resolve, PROBE_TIMEOUT_MS, fallback).unref())]);
}

/** The one place that wires domain, application, infrastructure and API together. */
export async function startCrmService(config: Config, options: ServiceOptions): Promise<CrmService> {
  const { logger } = options;
  if (!config.database.url) throw new Error("startCrmService needs a database URL");
  const jwtSecret = config.jwt.secret;
  if (!jwtSecret && !config.jwt.jwksUrl) throw new Error("startCrmService needs JWT_SECRET or JWT_JWKS_URL");

  const prisma = createPrismaClient(config.database.url, {
    poolMax: config.database.poolMax,
    onQuery: options.onQuery ? (event) => options.onQuery?.(event.query) : undefined,
  });
  const reads = tenantScoped(prisma);
  const commands: CommandDeps = { unitOfWork: new PrismaUnitOfWork(reads), clock: () => new Date(), newId: randomUUID };
  const bus = new InProcessEventBus();
  const services: ApiServices = { commands, reads, liveEvents: bus };

  const readiness = async () => {
    const postgres = await withinProbeTimeout(prisma.$queryRaw`SELECT 1`.then(() => "up"), "down");
    return { ok: postgres === "up", checks: { postgres, redis: config.redisUrl ? "unknown" : "not configured" } };
  };

  const http = await startHttpServer({
    schema: await buildCrmSubgraphSchema(bus),
    services,
    authenticate: createTokenVerifier(config.jwt),
    logger,
    host: config.host,
    port: config.port,
    production: config.production,
    corsOrigins: config.corsOrigins,
    readiness,
  });
  logger.info({ url: http.url }, "CRM subgraph ready");

  return {
    url: http.url,
    port: http.port,
    commands,
    reads,
    async stop() {
      await http.stop();
      await bus.close();
      await prisma.$disconnect();
    },
  };
}
