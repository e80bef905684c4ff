import { readFileSync } from "node:fs";
import { z } from "zod";
import { maskSecrets } from "./secret-masking";
import { tracingConfigOf, tracingVariables } from "./tracing/tracing-config";

/** Bad configuration: stops the process with one line naming the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    // A problem may quote what was given: never echo a password from it.
    super(maskSecrets(`Invalid configuration: ${variable} ${problem}`));
  }
}

/** Variables that may instead be given as X_FILE, the path of a file holding the value. */
const SECRET_VARIABLES = [
  "DATABASE_URL",
  "DATABASE_MIGRATION_URL",
  "DATABASE_REPLICA_URLS",
  "REDIS_URL",
  "JWT_SECRET",
  "ENRICHMENT_API_KEY",
  // A tracing backend's API key travels as an OTLP header.
  "OTEL_EXPORTER_OTLP_HEADERS",
  "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
] as const;

const urlWithScheme = (schemes: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${schemes.map((s) => `${s}//`).join(" or ")}` },
  );

const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

/** A comma-separated variable as a list (empty when unset), each item checked by `items`. */
const commaList = <Out>(items: z.ZodType<Out, string[]>) =>
  z
    .string()
    .default("")
    .transform((value) => value.split(",").map((item) => item.trim()).filter(Boolean))
    .pipe(items);
const hostPortPairs = z.array(z.string().regex(/^[\w.-]+:\d{1,5}$/, { message: "must list host:port pairs separated by commas" }));

const variables = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  HOST: z.string().default("0.0.0.0"),
  PORT: z.coerce.number().int().min(0).max(65535).default(4001),
  DATABASE_URL: optional(urlWithScheme(["postgres:", "postgresql:"])),
  DATABASE_MIGRATION_URL: optional(urlWithScheme(["postgres:", "postgresql:"])),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_REPLICA_URLS: commaList(z.array(urlWithScheme(["postgres:", "postgresql:"]))),
  REDIS_SENTINELS: commaList(hostPortPairs),
  REDIS_SENTINEL_NAME: z.string().default("mymaster"),
  REDIS_CLUSTER_NODES: commaList(hostPortPairs),
  REDIS_URL: optional(urlWithScheme(["redis:", "rediss:"])),
  JWT_SECRET: optional(z.string().min(32, { message: "must be at least 32 characters" })),
  JWT_JWKS_URL: optional(urlWithScheme(["https:", "http:"])),
  JWT_ISSUER: optional(z.string()),
  JWT_AUDIENCE: optional(z.string()),
  CORS_ORIGINS: commaList(z.array(z.string())),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATA_DIR: z.string().default(".data"),
  ENRICHMENT_API_URL: optional(urlWithScheme(["https:", "http:"])),
  ENRICHMENT_API_KEY: optional(z.string()),
  ENRICHMENT_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(2000),
  EVENT_STREAM_MAXLEN: z.coerce.number().int().min(100).default(100_000),
  // Slow clients (docs/operations.md, "Connection timeouts").
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  WS_CONNECTION_INIT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(3_000),
  WS_MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(8 * 1024 * 1024),
  WS_COALESCE_MS: z.coerce.number().int().min(0).max(5000).default(20),
  IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().min(1).max(30 * 86_400).default(86_400),
  RATE_LIMIT_TENANT_RPS: z.coerce.number().positive().max(1_000_000).default(200),
  RATE_LIMIT_TENANT_BURST: z.coerce.number().int().min(1).max(1_000_000).default(400),
  RATE_LIMIT_TENANT_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  // Fault injection for tests; ignored in production.
  CRM_FAULT_AFTER_COMMIT: optional(z.enum(["exit"])),
  EVENT_REPLAY_RETENTION_SECONDS: z.coerce.number().int().min(1).default(7 * 24 * 3600),
  EVENT_REPLAY_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  // Admission control (docs/operations.md, "Overload"); the first two default from DATABASE_POOL_MAX.
  OVERLOAD_MAX_IN_FLIGHT: optional(z.coerce.number().int().min(1).max(10_000)),
  OVERLOAD_MAX_QUEUE: optional(z.coerce.number().int().min(0).max(100_000)),
  OVERLOAD_MAX_QUEUE_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  // Query cache (docs/scaling.md, Caching): in Redis when Redis is configured, else in process.
  CACHE_ENABLED: z.enum(["true", "false"], { message: "must be true or false" }).default("true"),
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  CACHE_KEY_PREFIX: z.string().regex(/^[\w.:-]{0,64}$/, { message: "must be up to 64 letters, digits, '_', '.', ':' or '-'" }).default("crm:cache:"),
  CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  // OpenTelemetry traces (docs/operations.md, "Tracing"): the specification's own variables, off without an endpoint.
  ...tracingVariables,
});

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof variables>) {
  return {
    production: env.NODE_ENV === "production",
    nodeEnv: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    database: {
      url: env.DATABASE_URL,
      migrationUrl: env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL,
      poolMax: env.DATABASE_POOL_MAX,
      replicaUrls: env.DATABASE_REPLICA_URLS,
    },
    redisUrl: env.REDIS_URL,
    redisClusterNodes: env.REDIS_CLUSTER_NODES,
    redisSentinels: env.REDIS_SENTINELS.length ? { nodes: env.REDIS_SENTINELS, name: env.REDIS_SENTINEL_NAME } : null,
    jwt: { secret: env.JWT_SECRET, jwksUrl: env.JWT_JWKS_URL, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
    dataDir: env.DATA_DIR,
    enrichment: env.ENRICHMENT_API_URL
      ? { url: env.ENRICHMENT_API_URL, apiKey: env.ENRICHMENT_API_KEY, timeoutMs: env.ENRICHMENT_TIMEOUT_MS }
      : null,
    eventStreamMaxLen: env.EVENT_STREAM_MAXLEN,
    timeouts: {
      requestMs: env.HTTP_REQUEST_TIMEOUT_MS,
      headersMs: env.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      connectionInitMs: env.WS_CONNECTION_INIT_TIMEOUT_MS,
    },
    subscriberMaxBufferedBytes: env.WS_MAX_BUFFERED_BYTES,
    subscriberCoalesceWindowMs: env.WS_COALESCE_MS,
    idempotencyTtlSeconds: env.IDEMPOTENCY_TTL_SECONDS,
    rateLimits: {
      tenantRequestsPerSecond: env.RATE_LIMIT_TENANT_RPS,
      tenantBurst: env.RATE_LIMIT_TENANT_BURST,
      tenantSubscriptions: env.RATE_LIMIT_TENANT_SUBSCRIPTIONS,
    },
    faultAfterCommit: env.NODE_ENV === "production" ? null : (env.CRM_FAULT_AFTER_COMMIT ?? null),
    eventReplay: { retentionSeconds: env.EVENT_REPLAY_RETENTION_SECONDS, maxEvents: env.EVENT_REPLAY_LIMIT },
    overload: overloadBounds(env),
    cache: {
      enabled: env.CACHE_ENABLED === "true",
      ttlSeconds: env.CACHE_TTL_SECONDS,
      keyPrefix: env.CACHE_KEY_PREFIX,
      maxEntries: env.CACHE_MAX_ENTRIES,
    },
    tracing: tracingConfigOf(env),
  };
}

/**
 * As many operations in flight as the pool has connections (an admitted one
 * finds a connection free, give or take a moment), four times that waiting:
 * at a few ms a statement, a full queue drains well within the wait bound.
 */
function overloadBounds(env: z.infer<typeof variables>) {
  const maxInFlight = env.OVERLOAD_MAX_IN_FLIGHT ?? env.DATABASE_POOL_MAX;
  return { maxInFlight, maxQueue: env.OVERLOAD_MAX_QUEUE ?? 4 * maxInFlight, maxQueueWaitMs: env.OVERLOAD_MAX_QUEUE_WAIT_MS };
}

function withSecretFiles(env: NodeJS.ProcessEnv, names: readonly string[] = SECRET_VARIABLES): Record<string, string | undefined> {
  const resolved: Record<string, string | undefined> = { ...env };
  for (const name of names) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) throw new ConfigError(name, `and ${name}_FILE are both set: give one`);
    try {
      resolved[name] = readFileSync(file, "utf8").trim();
    } catch {
      throw new ConfigError(`${name}_FILE`, `names a file that cannot be read: ${file}`);
    }
  }
  return resolved;
}

function parsed<T>(result: z.ZodSafeParseResult<T>): T {
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ConfigError(String(issue?.path[0] ?? "environment"), issue?.message ?? "is invalid");
}

/** Reads and validates the environment once, at start. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = toConfig(parsed(variables.safeParse(withSecretFiles(env))));
  // Node refuses to start a server whose headers may take longer than the whole request.
  if (config.timeouts.headersMs > config.timeouts.requestMs) {
    throw new ConfigError("HTTP_HEADERS_TIMEOUT_MS", "must not exceed HTTP_REQUEST_TIMEOUT_MS");
  }
  if (config.production) {
    if (!config.database.url) throw new ConfigError("DATABASE_URL", "is required in production");
    if (!config.jwt.secret && !config.jwt.jwksUrl) throw new ConfigError("JWT_SECRET", "or JWT_JWKS_URL is required in production");
  }
  return config;
}

const databaseVariables = variables.pick({ DATABASE_URL: true, DATABASE_MIGRATION_URL: true });

/**
 * What `db:migrate` needs, and nothing more: a migration job is given database
 * settings only (no JWT secret, no Redis), whatever NODE_ENV says.
 */
export function loadMigrationConfig(env: NodeJS.ProcessEnv = process.env): { migrationUrl: string | undefined; runtimeUrl: string | undefined } {
  const values = parsed(databaseVariables.safeParse(withSecretFiles(env, Object.keys(databaseVariables.shape))));
  return { migrationUrl: values.DATABASE_MIGRATION_URL ?? values.DATABASE_URL, runtimeUrl: values.DATABASE_URL };
}
