import { Client } from "pg";
import { loadConfig, type Config } from "../config";
import { connectRedis, type RedisClient } from "../redis/redis-connection";
import { offboardingDatabase } from "./offboarding-database";
import { isUuid } from "../../domain/shared/identifier";

/** A refusal to run: one line on stderr and exit code 2, nothing touched. */
export class UsageError extends Error {}

/** The tenant a tool works on: --tenant, a UUID (else a usage error). */
export function tenantOption(tenant: string | undefined, usage: string): string {
  if (!isUuid(tenant)) throw new UsageError(`--tenant <uuid> is required\n${usage.split("\n")[0]}`);
  return tenant.toLowerCase();
}

/** The database (and Redis, when configured) a CLI works on; closed by `done`. */
export async function connectForTenantWork(config: Config = loadConfig()): Promise<{ client: Client; redis: RedisClient | null; done(): Promise<void> }> {
  const database = await offboardingDatabase(config);
  const client = new Client({ connectionString: database.url, application_name: "crm-offboarding" });
  await client.connect();
  const hasRedis = Boolean(config.redisUrl || config.redisClusterNodes.length || config.redisSentinels);
  const redis = hasRedis ? connectRedis({ url: config.redisUrl, clusterNodes: config.redisClusterNodes, sentinels: config.redisSentinels }) : null;
  return {
    client,
    redis,
    async done() {
      await client.end().catch(() => {});
      redis?.disconnect();
      await database.release();
    },
  };
}

/** Runs a CLI: a usage problem exits 2, any other failure 1, each as one line (never a connection URL). */
export function runCli(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof UsageError || (error as { code?: string })?.code?.startsWith("ERR_PARSE_ARGS") ? 2 : 1);
  });
}
