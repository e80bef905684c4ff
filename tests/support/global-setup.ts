import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { Client } from "pg";
import type { TestProject } from "vitest/node" with { "resolution-mode": "import" };
import { reportConnectionErrors } from "../../src/infrastructure/database-pool";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../src/infrastructure/embedded-postgres";
import { maskSecrets } from "../../src/infrastructure/secret-masking";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    redisUrl: string | null;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  reportConnectionErrors(client);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // The failed connect is the answer; without a listener ioredis also prints it as "Unhandled error event".
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * No PostgreSQL at all: one line that says why and what to do, and a failed
 * run. Exits here: a global setup that throws makes vitest report "No test
 * files found" and a dump around the one line that matters.
 */
function stopForNoDatabase(adminUrl: string, reason: string): never {
  console.error(
    `No PostgreSQL for the tests: ${maskSecrets(adminUrl)} does not answer and the embedded one could not start (${maskSecrets(reason)}). ` +
      "Start PostgreSQL on 127.0.0.1:5432 or set TEST_DATABASE_ADMIN_URL to a superuser URL.",
  );
  process.exit(1);
}

/**
 * Finds the PostgreSQL the tests use: TEST_DATABASE_ADMIN_URL, else the local
 * server, else an embedded one started here (a bare machine still tests).
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedPostgres | null = null;
  let embeddedDir: string | null = null;
  const removeEmbeddedDir = () => {
    if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
    embeddedDir = null;
  };
  // A run interrupted (Ctrl-C) before the teardown still leaves no temp folder: the exit hook removes it.
  process.once("exit", removeEmbeddedDir);
  let adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  if (!(await answers(adminUrl))) {
    try {
      embeddedDir = mkdtempSync(join(tmpdir(), "crm-test-pg-"));
      embedded = await startEmbeddedPostgres({ dataDir: join(embeddedDir, "pg") });
    } catch (error) {
      removeEmbeddedDir();
      stopForNoDatabase(adminUrl, error instanceof Error ? error.message : String(error));
    }
    adminUrl = embedded.adminUrl;
  }
  const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  project.provide("pgAdminUrl", adminUrl);
  project.provide("redisUrl", (await redisAnswers(redisUrl)) ? redisUrl : null);
  return async () => {
    try {
      await embedded?.stop();
    } finally {
      removeEmbeddedDir();
    }
  };
}
