// Shared settings of the benchmark: the database, roles, tenants and secret.
import { createRequire } from "node:module";

export const require = createRequire(import.meta.url);
export const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const DATABASE = "crm_bench";
export const RUNTIME_ROLE = "crm_bench_app";
export const RUNTIME_PASSWORD = "crm_bench_app_password";
export const JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123";
export const TENANTS = {
  A: "a0000000-0000-4000-8000-000000000001",
  B: "b0000000-0000-4000-8000-000000000002",
  C: "c0000000-0000-4000-8000-000000000003",
};
/** Owners of tenant A's leads: user ids 0..49. */
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
