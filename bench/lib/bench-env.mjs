// Shared settings of the benchmark: the database, roles, tenants and secret.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export const require = createRequire(import.meta.url);
export const ROOT = join(import.meta.dirname, "..", "..");
export const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
/** BENCH_DATABASE: another name, so two checkouts on one server do not seed over each other. */
export const DATABASE = process.env.BENCH_DATABASE ?? "crm_bench";
export const RUNTIME_ROLE = "crm_bench_app";
export const RUNTIME_PASSWORD = "crm_bench_app_password";
export const JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123";
export const TENANTS = {
  A: "a0000000-0000-4000-8000-000000000001",
  B: "b0000000-0000-4000-8000-000000000002",
  C: "c0000000-0000-4000-8000-000000000003",
  /** The large tenant of the search and duplicates scenarios: 100,000 leads, seeded only for them. */
  D: "d0000000-0000-4000-8000-000000000004",
};
/** The 50 users owning leads: user ids 0..49 (the same ids in every tenant). */
export const OWNERS = 50;
export const ownerId = (n) => `0a000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

export function databaseUrl(user, password) {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  if (user) {
    url.username = user;
    url.password = password ?? "";
  }
  return url.toString();
}
export const RUNTIME_URL = databaseUrl(RUNTIME_ROLE, RUNTIME_PASSWORD);

/** A module of the built service (dist/), or a clear message to build first. */
export function fromDist(path) {
  const file = join(ROOT, "dist", path);
  if (!existsSync(file)) {
    console.error(`the benchmark needs the build (${join("dist", path)} is missing): run \`npm run build\` first`);
    process.exit(1);
  }
  return require(file);
}
