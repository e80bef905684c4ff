import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { freePort } from "../../src/infrastructure/embedded-postgres";
import { ensureBuilt } from "../support/built-service";
import { withClient } from "../support/test-database";

// `docker compose up` without Docker: every command of docker-compose.yml runs here, in
// dependency order, with exactly the environment the file (and the image's ENV) gives it.
// The only changes are the ones a container network makes for free:
// - compose hostnames (`postgres`, `redis`) point at the local servers;
// - the database and role names of the postgres service become throwaway ones of this test;
// - `/run/secrets/<name>` points at a copy of the secret made by docker/make-secrets.sh
//   (with the two changes above applied to its content);
// - PORT is a free port (the container port 4001 may be taken on a shared machine).
// The postgres service is mirrored: the owner (POSTGRES_USER, a superuser as in the image)
// and POSTGRES_DB are created, then docker/postgres-init.sh runs with that service's environment.

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  profiles?: string[];
  ports?: string[];
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
}

const root = join(__dirname, "..", "..");
const composeText = readFileSync(join(root, "docker-compose.yml"), "utf8");
const compose = parse(composeText, { merge: true }) as ComposeFile;

/** The runtime stage of the Dockerfile: what a container of the image starts with. */
function runtimeImage(): { env: Record<string, string>; command: string[] } {
  const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
  const lastStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  const env: Record<string, string> = {};
  for (const [, pairs] of lastStage.matchAll(/^ENV (.+)$/gm)) for (const [, key, value] of pairs.matchAll(/(\w+)=(\S+)/g)) env[key] = value;
  const command = JSON.parse(/^CMD (\[.*\])$/m.exec(lastStage)?.[1] ?? "[]") as string[];
  return { env, command };
}
const image = runtimeImage();
const builder = Object.entries(compose.services).find(([, service]) => service.build);
const ours = (service: ComposeService) => service.image === builder?.[1].image;

const profiles = [...new Set(Object.values(compose.services).flatMap((service) => service.profiles ?? []))];

/** The services `docker compose [--profile p] up` starts, dependencies first. */
function startOrder(profile: string | null): string[] {
  const active = Object.entries(compose.services).filter(([, service]) => !service.profiles || (profile !== null && service.profiles.includes(profile)));
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    for (const dependency of Object.keys(compose.services[name].depends_on ?? {})) visit(dependency);
    order.push(name);
  };
  for (const [name] of active) visit(name);
  return order;
}

/** Others wait for it to finish (`service_completed_successfully`): a one-shot job. */
const oneShot = (name: string) =>
  Object.values(compose.services).some((service) => service.depends_on?.[name]?.condition === "service_completed_successfully");

/** The documented way to mint a token for the stack: `docker compose run --rm --no-deps <service> <command>`. */
const tokenCommand = /docker compose run --rm --no-deps ([\w-]+) (node dist\/\S+)/.exec(composeText);

const running: ChildProcess[] = [];
const scratch = mkdtempSync(join(tmpdir(), "crm-compose-"));

beforeAll(ensureBuilt, 180_000);
afterAll(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(scratch, { recursive: true, force: true });
});

/** The local stand-ins of the postgres and redis services, with names of this run. */
async function localInfrastructure(run: string) {
  const adminUrl = new URL(inject("pgAdminUrl"));
  const redisUrl = new URL(inject("redisUrl") ?? "redis://127.0.0.1:6379");
  const postgresEnv = compose.services.postgres.environment ?? {};
  const suffix = randomBytes(5).toString("hex");
  const names: Record<string, string> = {
    [postgresEnv.POSTGRES_DB]: `crm_compose_${suffix}`,
    [postgresEnv.POSTGRES_USER]: `crm_compose_owner_${suffix}`,
    [postgresEnv.CRM_APP_ROLE]: `crm_compose_app_${suffix}`,
  };
  const hosts: Record<string, { hostname: string; port: string }> = {
    postgres: { hostname: adminUrl.hostname, port: adminUrl.port || "5432" },
    redis: { hostname: redisUrl.hostname, port: redisUrl.port || "6379" },
  };

  const mapValue = (value: string): string => {
    if (/^(postgres|postgresql|redis):\/\//.test(value)) {
      const url = new URL(value);
      const host = hosts[url.hostname];
      if (host) Object.assign(url, host);
      if (names[decodeURIComponent(url.username)]) url.username = names[decodeURIComponent(url.username)];
      const database = url.pathname.slice(1);
      if (names[database]) url.pathname = `/${names[database]}`;
      return url.toString();
    }
    return names[value] ?? value;
  };

  // The secrets, made by the project's script, then the copies the services see.
  const made = join(scratch, run, "made");
  const mounted = join(scratch, run, "run-secrets");
  mkdirSync(mounted, { recursive: true });
  const script = spawnSync("sh", [join(root, "docker", "make-secrets.sh"), made], { encoding: "utf8" });
  if (script.status !== 0) throw new Error(`docker/make-secrets.sh failed: ${script.stderr}`);
  for (const [name, secret] of Object.entries(compose.secrets)) {
    const file = join(made, secret.file.replace(/^\.\/secrets\//, ""));
    writeFileSync(join(mounted, name), `${mapValue(readFileSync(file, "utf8").trim())}\n`);
  }

  /** A service's environment as its container sees it, mapped to this machine. */
  const environmentOf = (name: string): Record<string, string> => {
    const service = compose.services[name];
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", ...(ours(service) ? image.env : {}) };
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      const secret = /^\/run\/secrets\/(.+)$/.exec(String(value))?.[1];
      if (secret) {
        // Docker mounts only the secrets a service lists: a _FILE naming another would not exist.
        expect(service.secrets, `${name} reads ${secret} but does not list it`).toContain(secret);
        env[key] = join(mounted, secret);
      } else env[key] = mapValue(String(value));
    }
    return env;
  };

  // The postgres service: the image's entrypoint creates POSTGRES_USER (a superuser) with the
  // password of POSTGRES_PASSWORD_FILE and POSTGRES_DB owned by it, then runs the init scripts.
  const postgres = environmentOf("postgres");
  const owner = postgres.POSTGRES_USER;
  const ownerPassword = readFileSync(postgres.POSTGRES_PASSWORD_FILE, "utf8").trim();
  await withClient(adminUrl.toString(), async (client) => {
    await client.query(`CREATE ROLE "${owner}" LOGIN SUPERUSER PASSWORD '${ownerPassword}'`);
    await client.query(`CREATE DATABASE "${postgres.POSTGRES_DB}" OWNER "${owner}"`);
  });
  const drop = () =>
    withClient(adminUrl.toString(), async (client) => {
      await client.query(`DROP DATABASE IF EXISTS "${postgres.POSTGRES_DB}" WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS "${postgres.CRM_APP_ROLE}"`);
      await client.query(`DROP ROLE IF EXISTS "${owner}"`);
    });
  const ownerUrl = `postgres://${owner}:${encodeURIComponent(ownerPassword)}@${adminUrl.hostname}:${adminUrl.port || "5432"}/${postgres.POSTGRES_DB}`;
  try {
    await runInitScript({ ...postgres, PGHOST: adminUrl.hostname, PGPORT: adminUrl.port || "5432", PGPASSWORD: ownerPassword }, ownerUrl);
  } catch (error) {
    await drop();
    throw error;
  }
  return { environmentOf, drop, ownerUrl };
}

/**
 * docker/postgres-init.sh with the postgres service's environment. Without psql (a bare
 * machine testing against the embedded PostgreSQL) its SQL runs as psql would run it.
 */
async function runInitScript(env: Record<string, string>, ownerUrl: string): Promise<void> {
  const script = join(root, "docker", "postgres-init.sh");
  if (spawnSync("psql", ["--version"]).status === 0) {
    const result = spawnSync("bash", [script], { env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`docker/postgres-init.sh failed: ${result.stderr}`);
    return;
  }
  const sql = /<<'SQL'\n([\s\S]*?)\nSQL/.exec(readFileSync(script, "utf8"))?.[1] ?? "";
  const password = readFileSync(env.CRM_APP_PASSWORD_FILE, "utf8").trim();
  await withClient(ownerUrl, (client) =>
    client.query(sql.replaceAll(':"role"', client.escapeIdentifier(env.CRM_APP_ROLE)).replaceAll(":'password'", client.escapeLiteral(password))),
  );
}

function start(name: string, env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const [program, ...args] = compose.services[name].command ?? image.command;
  const child = spawn(program === "node" ? process.execPath : program, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  running.push(child);
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds: number, output: () => string): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const graphql = async (port: number, token: string, query: string) => {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
};

describe("docker-compose.yml, run without Docker", () => {
  it("builds one image, which the migration and every subgraph run", () => {
    expect(builder?.[0]).toBe("crm-subgraph");
    expect(Object.values(compose.services).filter((service) => service.build)).toHaveLength(1);
    expect(Object.entries(compose.services).filter(([, service]) => ours(service)).map(([name]) => name).sort()).toEqual(["crm-subgraph", "crm-subgraph-dev", "migrate"]);
    expect(tokenCommand?.[1]).toBe("crm-subgraph");
  });

  it.each([null, ...profiles])(
    "profile %s: migrate exits 0, then each subgraph is ready, healthy, takes the documented token, and stops on SIGTERM with 0",
    async (profile) => {
      const order = startOrder(profile);
      const { environmentOf, drop, ownerUrl } = await localInfrastructure(profile ?? "default");
      const stopping: { name: string; child: ChildProcess; exited: Promise<number | null>; output: () => string }[] = [];
      const stopped: Record<string, unknown> = {};
      try {
        for (const name of order.filter((service) => ours(compose.services[service]))) {
          const env = environmentOf(name);
          if (oneShot(name)) {
            const job = start(name, env);
            expect(await job.exited, `${name}:\n${job.output()}`).toBe(0);
            continue;
          }
          const containerPort = compose.services[name].ports?.[0]?.split(":").at(-1);
          expect(containerPort, `${name} publishes the port it listens on`).toBe(env.PORT);
          const port = await freePort();
          env.PORT = String(port);
          const service = start(name, env);
          stopping.unshift({ name, ...service });
          await until(`${name} /ready`, async () => ((await fetch(`http://127.0.0.1:${port}/ready`)).status === 200 ? true : undefined), 60, service.output);

          // Its health check, as Docker runs it inside the container.
          const [kind, program, ...args] = compose.services[name].healthcheck?.test ?? [];
          expect(kind).toBe("CMD");
          expect(spawnSync(program === "node" ? process.execPath : program, args, { env, timeout: 10_000 }).status, `${name} healthcheck`).toBe(0);

          // The header's token command, run as `docker compose run` would: with this service's environment.
          const tenantId = randomUUID();
          const [, ...tokenArgs] = (tokenCommand?.[2] ?? "").split(" ");
          const minted = spawnSync(process.execPath, [...tokenArgs, "--tenant", tenantId, "--role", "admin"], { cwd: root, env: environmentOf(tokenCommand?.[1] ?? ""), encoding: "utf8" });
          expect(minted.status, minted.stderr).toBe(0);
          const token = minted.stdout.trim();
          const captured = await graphql(port, token, `mutation { captureLead(input: {name: "Compose", email: "compose-${name}@example.com", source: REFERRAL}) { id version } }`);
          expect(captured.errors).toBeUndefined();
          expect(await graphql(port, token, "{ leads(first: 5) { totalCount } }")).toEqual({ data: { leads: { totalCount: 1 } } });

          // Sandbox where the header says: the development profile serves it, production does not.
          const page = await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: "text/html" } });
          const html = await page.text();
          if (env.NODE_ENV === "production") expect(html).toMatch(/Cross-Site Request Forgery/);
          else expect(page.status === 200 && /sandbox/i.test(html), `${name} serves Apollo Sandbox`).toBe(true);
        }
        // The runtime role the init script made is the one the services connect as, and owns nothing.
        await withClient(ownerUrl, async (client: Client) => {
          const role = environmentOf("postgres").CRM_APP_ROLE;
          const { rows } = await client.query("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1", [role]);
          expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
          const owned = await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE tableowner = $1", [role]);
          expect(owned.rows[0].n).toBe(0);
        });
      } finally {
        for (const service of stopping) {
          service.child.kill("SIGTERM");
          const code = await Promise.race([service.exited, new Promise((resolve) => setTimeout(() => resolve("still running after 20 s"), 20_000))]);
          if (code !== 0) service.child.kill("SIGKILL");
          stopped[service.name] = code === 0 ? 0 : `${String(code)}\n${service.output()}`;
        }
        await drop();
      }
      expect(stopped).toEqual(Object.fromEntries(stopping.map((service) => [service.name, 0])));
    },
    180_000,
  );
});
