import { randomUUID } from "node:crypto";
import { startCrmService, type CrmService } from "../../src/composition-root";
import { mintToken } from "../../src/infrastructure/auth/dev-token";
import type { Role } from "../../src/infrastructure/auth/principal";
import { loadConfig } from "../../src/infrastructure/config";
import { createLogger, type Logger } from "../../src/infrastructure/logger";
import { createTestDatabase, type TestDatabase } from "./test-database";

export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256!";

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface Caller {
  tenantId: string;
  userId: string;
  token: string;
  /** POSTs a GraphQL operation with this caller's token. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
}

export interface TestService {
  service: CrmService;
  database: TestDatabase;
  url: string;
  /** SQL statements seen since the last reset (BEGIN/COMMIT/set_config excluded, as the contract counts them). */
  statements: string[];
  caller(options?: { tenantId?: string; userId?: string; roles?: Role[] }): Promise<Caller>;
  post(body: unknown, headers?: Record<string, string>): Promise<GraphQLResponse & { raw: Response }>;
  stop(): Promise<void>;
}

const NOT_COUNTED = /^\s*(BEGIN|COMMIT|ROLLBACK|SELECT set_config\('app\.current_tenant_id')/i;

/**
 * A real service on a free port, over a fresh database of its own, or over a
 * shared one (several instances of one deployment); only an owned database is dropped.
 */
export async function startTestService(
  env: Record<string, string> = {},
  options: { database?: TestDatabase; enrichmentBackoffBaseMs?: number; logger?: Logger; compileDocumentsAfterUses?: number } = {},
): Promise<TestService> {
  const database = options.database ?? (await createTestDatabase());
  const statements: string[] = [];
  let service: CrmService;
  try {
    service = await startServiceOn(database, env, options, statements);
  } catch (error) {
    // A refused configuration or a failed start must not leave the database it made behind.
    if (!options.database) await database.drop();
    throw error;
  }

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const raw = await fetch(service.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await raw.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text);
    } catch {
      json = { errors: [{ message: text }] };
    }
    return { status: raw.status, raw, ...(json as object) } as GraphQLResponse & { raw: Response };
  };

  return {
    service,
    database,
    url: service.url,
    statements,
    post,
    async caller({ tenantId = randomUUID(), userId = randomUUID(), roles = ["admin"] as Role[] } = {}) {
      const token = await mintToken({ secret: TEST_JWT_SECRET, tenantId, userId, roles });
      return {
        tenantId,
        userId,
        token,
        gql: (query, variables) => post({ query, variables }, { authorization: `Bearer ${token}` }) as never,
      };
    },
    async stop() {
      await service.stop();
      if (!options.database) await database.drop();
    },
  };
}

/** The data of a response that must have succeeded; fails the test with the errors otherwise. */
export function dataOf<T = Record<string, any>>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) {
    throw new Error(`expected data, got ${JSON.stringify(response.errors ?? response)}`);
  }
  return response.data;
}

/** The single error's code of a response that must have failed. */
export function errorOf(response: GraphQLResponse): { code: string; message: string; extensions: Record<string, any> } {
  const error = response.errors?.[0];
  if (!error) throw new Error(`expected an error, got ${JSON.stringify(response.data)}`);
  return { code: String(error.extensions?.code), message: error.message, extensions: error.extensions ?? {} };
}

/** The service on `database`, with the test defaults under `env`. */
async function startServiceOn(
  database: TestDatabase,
  env: Record<string, string>,
  options: { enrichmentBackoffBaseMs?: number; logger?: Logger; compileDocumentsAfterUses?: number },
  statements: string[],
): Promise<CrmService> {
  const config = loadConfig({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: database.runtimeUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: "silent",
    // The tenant budget stays out of the way of tests about something else (a fuzz sends
    // thousands of requests a second as one tenant); tests/rate-limits sets its own.
    RATE_LIMIT_TENANT_RPS: "1000000",
    RATE_LIMIT_TENANT_BURST: "1000000",
    // Likewise admission control: bursts of concurrent writes on one lead must queue, not be shed,
    // on a loaded machine; tests/hardening/overload-* set their own bounds.
    OVERLOAD_MAX_QUEUE: "100000",
    OVERLOAD_MAX_QUEUE_WAIT_MS: "60000",
    ...env,
  });
  return startCrmService(config, {
    logger: options.logger ?? createLogger("silent"),
    enrichmentBackoffBaseMs: options.enrichmentBackoffBaseMs,
    // Compiled at first sight: every test's queries and mutations run the compiled code the
    // service uses for repeated documents (tests/graphql/direct-execution.test.ts compares it with Apollo's answers).
    compileDocumentsAfterUses: options.compileDocumentsAfterUses ?? 0,
    onQuery: (query) => {
      if (!NOT_COUNTED.test(query)) statements.push(query);
    },
  });
}
