import { createHash } from "node:crypto";
import type { Pool, PoolClient } from "pg";
import type { Prisma } from "../prisma/generated/client";
import { readTypeParsers } from "./timestamp-parser";
import { isUuid } from "../../domain/shared/identifier";

/** A read statement, written with Prisma.sql (text with $n placeholders plus values). */
export type ReadStatement = Prisma.Sql;

/** One tenant's read-only transaction: statements in, rows out. */
export interface ReadDb {
  rows<R>(statement: ReadStatement): Promise<R[]>;
}

/** The query side's way into PostgreSQL: every read runs inside one tenant's transaction. */
export interface TenantReads {
  /**
   * Runs `work` in one read-only transaction whose tenant setting is made
   * transaction-local, so a pooled connection never carries it into another
   * tenant's work. Queries still name the tenant: RLS is the last line.
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
 * transaction with two reads costs 3 to 5 times the CPU of the same SQL here,
 * and opening the transaction and setting the tenant share one round trip.
 */
export function pooledReads(pool: Pool, options: PooledReadsOptions = {}): TenantReads {
  const { onStatement } = options;
  return {
    async inTenant(tenantId, work) {
      // Sent as text (BEGIN and the setting share one simple-protocol round trip), so it must be a UUID.
      if (!isUuid(tenantId)) throw new Error("inTenant: the tenant id is not a UUID");
      const client = await pool.connect();
      let reusable = true;
      try {
        await client.query(`BEGIN READ ONLY; SELECT set_config('app.current_tenant_id', '${tenantId}', true)`);
        const result = await work(readDbOn(client, onStatement));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => (reusable = false));
        throw error;
      } finally {
        // A connection whose transaction state is unknown is closed, never reused.
        client.release(!reusable);
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
function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (!name && statementNames.size < MAX_PREPARED_SHAPES) {
    name = `crm_read_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

function readDbOn(client: PoolClient, onStatement: PooledReadsOptions["onStatement"]): ReadDb {
  return {
    async rows<R>(statement: ReadStatement): Promise<R[]> {
      const started = performance.now();
      const result = await client.query({ name: statementName(statement.text), text: statement.text, values: statement.values, types: readTypeParsers });
      onStatement?.(statement.text, performance.now() - started);
      return result.rows as R[];
    },
  };
}

/** Reads spread over several copies (read replicas), one transaction at a time each. */
export function roundRobin(copies: TenantReads[]): TenantReads {
  let next = 0;
  return { inTenant: (tenantId, work) => copies[next++ % copies.length].inTenant(tenantId, work) };
}
