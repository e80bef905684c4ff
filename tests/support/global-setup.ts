import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { Client } from "pg";
import type { TestProject } from "vitest/node" with { "resolution-mode": "import" };
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../src/infrastructure/embedded-postgres";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    redisUrl: string | null;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
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
 * Finds the PostgreSQL the tests use: TEST_DATABASE_ADMIN_URL, else the local
 * server, else an embedded one started here (a bare machine still tests).
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedPostgres | null = null;
  let embeddedDir: string | null = null;
  let adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  if (!(await answers(adminUrl))) {
    embeddedDir = mkdtempSync(join(tmpdir(), "crm-test-pg-"));
    embedded = await startEmbeddedPostgres({ dataDir: join(embeddedDir, "pg") });
    adminUrl = embedded.adminUrl;
  }
  const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  project.provide("pgAdminUrl", adminUrl);
  project.provide("redisUrl", (await redisAnswers(redisUrl)) ? redisUrl : null);
  return async () => {
    await embedded?.stop();
    if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
  };
}
