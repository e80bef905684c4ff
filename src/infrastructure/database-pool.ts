import pg from "pg";

export interface DatabasePoolOptions {
  max?: number;
}

/**
 * One node-postgres pool per database: Prisma's adapter writes through it and
 * the read side queries it directly, so both share the connection budget.
 */
export function createDatabasePool(connectionString: string, options: DatabasePoolOptions = {}): pg.Pool {
  return new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    // With the database unreachable, requests fail fast instead of hanging.
    connectionTimeoutMillis: 5000,
    // A transaction left open (a stalled request) cannot hold its locks and connection for long.
    idle_in_transaction_session_timeout: 15_000,
  });
}
