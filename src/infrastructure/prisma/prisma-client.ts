import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export interface PrismaClientOptions {
  poolMax?: number;
  /** Called once per statement that succeeds (Prisma reports neither BEGIN nor failed statements). */
  onQuery?: (event: { query: string; durationMs: number }) => void;
}

/** Prisma over node-postgres (driver adapter): no Rust engine to download. */
export function createPrismaClient(connectionString: string, options: PrismaClientOptions = {}): PrismaClient {
  // A bounded connect timeout: with the database unreachable, requests fail fast instead of hanging.
  const adapter = new PrismaPg({ connectionString, max: options.poolMax ?? 10, connectionTimeoutMillis: 5000 });
  if (!options.onQuery) return new PrismaClient({ adapter });
  const client = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  client.$on("query", (event) => options.onQuery?.({ query: event.query, durationMs: Number(event.duration) }));
  return client;
}
