import type { Tracer } from "@opentelemetry/api";
import pg from "pg";
import { traceStatements } from "./tracing/traced-statements";

/** Where a dropped connection is reported: a logger's `warn`, or nothing. */
export type ConnectionWarn = (fields: { err: unknown; pool?: string }, message: string) => void;

export interface DatabasePoolOptions {
  max?: number;
  /** Names the pool in the warning when one of its connections drops. */
  name?: string;
  warn?: ConnectionWarn;
  /** With tracing on: one span per statement (docs/operations.md, "Tracing"). */
  tracer?: Tracer;
}

/**
 * A connection the server closes under us (a restart, pg_terminate_backend,
 * a failover, DROP DATABASE ... WITH (FORCE)) raises an `error` event; with no
 * listener that event kills the process. Report it and carry on: the pool
 * drops that connection and opens another on the next checkout, and a query
 * in flight on it fails on its own promise.
 */
export function reportConnectionErrors(client: pg.Client | pg.PoolClient, warn: ConnectionWarn = () => {}, name?: string): void {
  client.on("error", (error: Error) => warn({ err: error, pool: name }, "database connection lost; it will be replaced"));
}

/**
 * One node-postgres pool per database: Prisma's adapter writes through it and
 * the read side queries it directly, so both share the connection budget.
 * Every connection has an error listener of its own, idle or checked out.
 */
export function createDatabasePool(connectionString: string, options: DatabasePoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    // With the database unreachable, requests fail fast instead of hanging.
    connectionTimeoutMillis: 5000,
    // A transaction left open (a stalled request) cannot hold its locks and connection for long.
    idle_in_transaction_session_timeout: 15_000,
  });
  // Each connection reports its own loss, idle or checked out (one line per connection);
  // for an idle one the pool also raises `error` after removing it, which must not crash us either.
  pool.on("connect", (client) => reportConnectionErrors(client, options.warn, options.name));
  pool.on("error", () => {});
  if (options.tracer) traceStatements(pool, options.tracer, { name: options.name, connectionString });
  return pool;
}

/**
 * Ends the pool and waits until every connection's socket is closed. `pool.end()`
 * alone resolves once the pool has *asked* its connections to close, while the
 * server may still hold them: a database dropped or a server stopped right after
 * would then terminate them, and the pool would report errors after its owner
 * thought it closed.
 */
export async function closeDatabasePool(pool: pg.Pool): Promise<void> {
  if (pool.ending) return;
  let open = pool.totalCount;
  const allClosed = new Promise<void>((resolve) => {
    if (open === 0) return resolve();
    pool.on("remove", () => {
      if (--open <= 0) resolve();
    });
  });
  await pool.end();
  // A connection still connecting when the pool ended is not reported as removed: do not wait on it forever.
  await Promise.race([allClosed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
}
