import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startCrmService } from "./composition-root";
import { DEMO_TENANT_ID, DEMO_USER_ID, seedDemoTenant } from "./dev/demo-tenant";
import { devJwtSecret } from "./dev/dev-secret";
import { mintToken } from "./infrastructure/auth/dev-token";
import { ConfigError, loadConfig, type Config } from "./infrastructure/config";
import { startEmbeddedPostgres } from "./infrastructure/embedded-postgres";
import { createLogger, type Logger } from "./infrastructure/logger";
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

async function main(): Promise<void> {
  const config = loadConfig(await resolveVaultReferences(process.env));
  const logger = createLogger(config.logLevel);
  const cleanups: (() => Promise<void>)[] = [];

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => logger.error({ err: error }, "shutdown step failed"));
    process.exit(0);
  };
  // Registered before anything starts, so a SIGTERM at any moment stops cleanly.
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));

  const embedded = !config.database.url;
  if (embedded) {
    const database = await embeddedDatabase(config, logger);
    config.database.url = database.url;
    cleanups.push(database.stop);
  }
  if (!config.jwt.secret && !config.jwt.jwksUrl) config.jwt.secret = devJwtSecret(config.dataDir, { create: true }) ?? undefined;

  const service = await startCrmService(config, { logger });
  cleanups.unshift(() => service.stop());
  if (stopping) return;

  // The demo tenant lives only in the embedded development database, never in one we were given.
  if (embedded && !config.production && config.jwt.secret) {
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
  // One clear line, never a stack trace (RULES: bad configuration).
  const message = error instanceof ConfigError ? error.message : `CRM subgraph failed to start: ${error instanceof Error ? error.message : String(error)}`;
  console.error(message);
  process.exit(1);
});
