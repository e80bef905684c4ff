import { createHash } from "node:crypto";
import pg, { type Pool, type PoolClient } from "pg";
import type { Prisma } from "../prisma/generated/client";
import { TenantScopedQuery, type StatementAccess } from "./tenant-scoped-query";
import { readTypeParsers } from "./timestamp-parser";
import { isUuid } from "../../domain/shared/identifier";

/** A read statement, written with Prisma.sql (text with $n placeholders plus values). */
export type ReadStatement = Prisma.Sql;

/** One tenant's reads: statements in, rows out; each statement sees only the tenant and cannot write. */
export interface ReadDb {
  rows<R>(statement: ReadStatement): Promise<R[]>;
}

/** The query side's way into PostgreSQL: every read runs inside one tenant's transaction. */
export interface TenantReads {
  /**
   * Runs `work` on one connection, each statement in a read-only transaction
   * of its own whose tenant setting is transaction-local, so a pooled
   * connection never carries it into another tenant's work. Queries still
   * name the tenant: RLS is the last line.
   */
  inTenant<T>(tenantId: string, work: (db: ReadDb) => Promise<T>): Promise<T>;
}

export interface PooledReadsOptions {
  /** Called once per statement that succeeds, with its text and duration. */
  onStatement?: (text: string, durationMs: number) => void;
}

/**
 * The read side over node-postgres directly, on the same pool Prisma's
 * adapter writes through. Measured in bench/: an interactive Prisma
 * transaction with two reads costs 3 to 5 times the CPU of the same SQL here.
 * Each statement is one round trip carrying its own tenant setting
 * (TenantScopedQuery): no BEGIN or COMMIT, and no connection is ever parked
 * inside a transaction, whatever `work` does between statements. Under READ
 * COMMITTED (the default) a transaction gave each statement its own snapshot
 * anyway, so the statements of one request see what they saw before.
 */
export function pooledReads(pool: Pool, options: PooledReadsOptions = {}): TenantReads {
  const { onStatement } = options;
  return {
    async inTenant(tenantId, work) {
      // Bound as a parameter, but refused early: a tenant that is not a UUID is a bug upstream.
      if (!isUuid(tenantId)) throw new Error("inTenant: the tenant id is not a UUID");
      const client = await pool.connect();
      const state = { broken: false };
      try {
        return await work(readDbOn(client, tenantId, state, onStatement));
      } finally {
        // A connection that failed other than by PostgreSQL's answer (a lost socket) is closed, never reused.
        client.release(state.broken);
      }
    },
  };
}

/**
 * Statements are prepared once per connection under a name derived from their
 * text, so PostgreSQL parses and plans each shape once, not per request. The
 * read side has few shapes (values are always parameters); past a bound, in
 * case filters ever combine into many, new shapes simply run unprepared.
 */
const MAX_PREPARED_SHAPES = 500;
const statementNames = new Map<string, string>();
function statementName(text: string, access: StatementAccess): string | undefined {
  let name = statementNames.get(text);
  if (!name && statementNames.size < MAX_PREPARED_SHAPES) {
    name = `crm_${access}_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

function readDbOn(client: PoolClient, tenantId: string, state: { broken: boolean }, onStatement: PooledReadsOptions["onStatement"]): ReadDb {
  return { rows: (statement) => tenantScopedRows(client, tenantId, statement, { access: "read", state, onStatement }) };
}

/**
 * One statement on `client` as a transaction of its own with the tenant set
 * (TenantScopedQuery), prepared under its shape's name. A failure other than
 * PostgreSQL's own answer (a lost socket) marks the connection broken.
 */
export async function tenantScopedRows<R>(
  client: PoolClient,
  tenantId: string,
  statement: ReadStatement,
  options: { access: StatementAccess; state: { broken: boolean }; onStatement?: PooledReadsOptions["onStatement"] },
): Promise<R[]> {
  const started = performance.now();
  const query = new TenantScopedQuery(
    { name: statementName(statement.text, options.access), text: statement.text, values: statement.values, types: readTypeParsers },
    tenantId,
    options.access,
  );
  let result: pg.QueryResult;
  try {
    result = await new Promise<pg.QueryResult>((resolve, reject) =>
      client.query(query as unknown as pg.QueryConfig, (error: Error | null, answer: pg.QueryResult) => (error ? reject(error) : resolve(answer))),
    );
  } catch (error) {
    // PostgreSQL's own error ends its implicit transaction at the Sync: the connection is clean.
    if (!(error instanceof pg.DatabaseError)) options.state.broken = true;
    throw error;
  }
  options.onStatement?.(statement.text, performance.now() - started);
  return result.rows as R[];
}

/** Reads spread over several copies (read replicas), one transaction at a time each. */
export function roundRobin(copies: TenantReads[]): TenantReads {
  let next = 0;
  return { inTenant: (tenantId, work) => copies[next++ % copies.length].inTenant(tenantId, work) };
}
