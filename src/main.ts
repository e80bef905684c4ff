import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startCrmService, type CrmService } from "./composition-root";
import { DEMO_TENANT_ID, DEMO_USER_ID, seedDemoTenant } from "./dev/demo-tenant";
import { devJwtSecret } from "./dev/dev-secret";
import { mintToken } from "./infrastructure/auth/dev-token";
import { ConfigError, loadConfig, type Config } from "./infrastructure/config";
import { startEmbeddedPostgres } from "./infrastructure/embedded-postgres";
import { createLogger, type Logger } from "./infrastructure/logger";
import { maskSecrets } from "./infrastructure/secret-masking";
import { resolveVaultReferences } from "./infrastructure/vault-secrets";
import { migrate } from "./infrastructure/prisma/migrator";
import { ensureRuntimeRole } from "./infrastructure/prisma/roles";

const RUNTIME_ROLE = "crm_app";

/**
 * No DATABASE_URL: a bare machine. Start PostgreSQL from the npm package under
 * DATA_DIR, migrate it as its superuser, and connect as a runtime role that
 * owns nothing, exactly as production would.
 */
async function embeddedDatabase(config: Config, logger: Logger): Promise<{ url: string; stop: () => Promise<void> }> {
  const dataDir = resolve(config.dataDir);
  logger.info({ dataDir }, "DATABASE_URL not set: starting an embedded PostgreSQL");
  const embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, "pg") });
  const passwordFile = join(dataDir, "runtime-role-password");
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();
  await ensureRuntimeRole(embedded.adminUrl, RUNTIME_ROLE, password);
  const url = new URL(embedded.adminUrl);
  url.username = RUNTIME_ROLE;
  url.password = password;
  await migrate({ migrationUrl: embedded.adminUrl, runtimeUrl: url.toString(), log: (line) => logger.info(line) });
  return { url: url.toString(), stop: embedded.stop };
}

// Longer than the HTTP drain (Apollo waits up to 10 s for requests in flight), shorter than
// the 30 s an orchestrator waits before SIGKILL.
const SHUTDOWN_GRACE_MS = 25_000;

async function main(): Promise<void> {
  const config = loadConfig(await resolveVaultReferences(process.env));
  const logger = createLogger(config.logLevel);
  let database: { stop: () => Promise<void> } | null = null;
  let service: CrmService | null = null;

  let stopping = false;
  let started: Promise<void> = Promise.resolve();
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => {
      logger.error({ graceMs: SHUTDOWN_GRACE_MS }, "shutdown took longer than its grace period; exiting anyway");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    // A start in progress finishes its step first: pools or a migration cut off halfway are what crashed.
    await started.catch(() => {});
    const step = (name: string, work: () => Promise<void>) => work().catch((error: unknown) => logger.error({ err: error, step: name }, "shutdown step failed"));
    // The order matters: the service stops accepting, drains requests, closes subscriptions,
    // the relay, the enrichment consumer, Prisma and every pool's sockets, then exports the
    // spans still buffered (tracing on); only then may the
    // embedded PostgreSQL stop (before, it would terminate connections still open).
    if (service) await step("service", () => service!.stop());
    if (database) await step("embedded database", () => database!.stop());
    process.exit(0);
  };
  // Registered before anything starts, so a signal at any moment stops cleanly.
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  started = (async () => {
    const embedded = !config.database.url;
    if (embedded) {
      const embeddedServer = await embeddedDatabase(config, logger);
      database = embeddedServer;
      config.database.url = embeddedServer.url;
    }
    if (stopping) return;
    if (!config.jwt.secret && !config.jwt.jwksUrl) config.jwt.secret = devJwtSecret(config.dataDir, { create: true }) ?? undefined;
    service = await startCrmService(config, { logger });
    if (stopping) return;
    // The demo data is a convenience: failing to seed it (the database went away under a Ctrl-C) must not stop the service.
    if (embedded) await welcome(config, service).catch((error: unknown) => logger.warn({ err: error }, "demo tenant not seeded"));
  })();
  try {
    await started;
  } catch (error) {
    // Ctrl-C reaches the embedded PostgreSQL too, which may break the start before our own
    // handler has run: let a signal that is on its way arrive; the shutdown then owns the exit.
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (!stopping) throw error;
  }
}

/** The demo tenant lives only in the embedded development database, never in one we were given. */
async function welcome(config: Config, service: CrmService): Promise<void> {
  if (!config.production && config.jwt.secret) {
    const seeded = await seedDemoTenant(service.commands, service.reads);
    const token = await mintToken({ secret: config.jwt.secret, tenantId: DEMO_TENANT_ID, userId: DEMO_USER_ID, roles: ["admin"] });
    console.log(
      [
        "",
        `CRM subgraph on ${service.url} (Apollo Sandbox: open it in a browser)`,
        `Demo tenant ${DEMO_TENANT_ID}${seeded ? " (seeded with demo leads)" : ""}; an admin token for it:`,
        "",
        token,
        "",
        `Try: curl -s ${service.url} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \\`,
        `       -d '{"query":"{ leads(first: 5) { totalCount edges { node { name status score } } } }"}'`,
        "More tokens: npm run token -- --tenant <uuid> --role viewer",
        "",
      ].join("\n"),
    );
  }
}

main().catch((error: unknown) => {
  // One clear line, never a stack trace (docs/domain.md: bad configuration).
  const message = error instanceof ConfigError ? error.message : `CRM subgraph failed to start: ${error instanceof Error ? error.message : String(error)}`;
  console.error(maskSecrets(message));
  process.exit(1);
});
