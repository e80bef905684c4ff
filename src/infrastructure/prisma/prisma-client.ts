import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { createDatabasePool } from "../database-pool";
import { PrismaClient } from "./generated/client";

export interface PrismaClientOptions {
  /** The pool size when the client makes its own pool from a URL. */
  poolMax?: number;
  /** Called once per statement that succeeds (Prisma reports neither BEGIN nor failed statements). */
  onQuery?: (event: { query: string; durationMs: number }) => void;
}

/**
 * Prisma over node-postgres (driver adapter): no Rust engine to download.
 * Given a pool, it shares it (and `$disconnect` leaves it open for its owner).
 */
export function createPrismaClient(database: string | pg.Pool, options: PrismaClientOptions = {}): PrismaClient {
  const pool = typeof database === "string" ? createDatabasePool(database, { max: options.poolMax }) : database;
  const adapter = new PrismaPg(pool, { disposeExternalPool: typeof database === "string" });
  if (!options.onQuery) return new PrismaClient({ adapter });
  const client = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  client.$on("query", (event) => options.onQuery?.({ query: event.query, durationMs: Number(event.duration) }));
  return client;
}
