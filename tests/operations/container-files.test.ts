import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// No Docker engine runs here: the compose file and Dockerfile are checked as documents.
const root = join(__dirname, "..", "..");

describe("docker-compose.yml", () => {
  const compose = parse(readFileSync(join(root, "docker-compose.yml"), "utf8"));

  it("runs postgres, redis, a one-shot migration and the subgraph", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["crm-subgraph", "migrate", "postgres", "redis"]);
    for (const name of ["postgres", "redis", "crm-subgraph"]) expect(compose.services[name].healthcheck?.test, name).toBeDefined();
    expect(compose.services.migrate.restart).toBe("no");
  });

  it("starts the subgraph only after the migration succeeded and Redis is healthy, on port 4001", () => {
    const subgraph = compose.services["crm-subgraph"];
    expect(subgraph.depends_on).toEqual({
      migrate: { condition: "service_completed_successfully" },
      redis: { condition: "service_healthy" },
    });
    expect(compose.services.migrate.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(subgraph.ports).toContain("4001:4001");
    expect(subgraph.environment.NODE_ENV).toBe("production");
  });

  it("connects the subgraph as the runtime role and migrates as the owner", () => {
    expect(compose.services["crm-subgraph"].environment.DATABASE_URL).toMatch(/^postgres:\/\/crm_app:/);
    expect(compose.services.migrate.environment.DATABASE_MIGRATION_URL).toMatch(/^postgres:\/\/crm_owner:/);
    const init = readFileSync(join(root, "docker", "postgres-init.sql"), "utf8");
    expect(init).toMatch(/CREATE ROLE crm_app LOGIN .*NOSUPERUSER NOBYPASSRLS/);
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
  it("builds in one stage and runs production dependencies only, as a non-root user, with a health check", () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^FROM node:22/m);
    expect(dockerfile).toContain("npm ci --omit=dev");
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/health/);
    expect(dockerfile).toContain("COPY prisma/migrations ./prisma/migrations");
  });
});
