import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative } from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { freePort } from "../../src/infrastructure/embedded-postgres";
import { ensureBuilt } from "../support/built-service";
import { prometheusTools, promtool } from "../support/prometheus-tools";
import { withClient } from "../support/test-database";

// `docker compose up` without Docker: every command of docker-compose.yml runs here, in
// dependency order, with exactly the environment the file (and the image's ENV) gives it.
// The only changes are the ones a container network makes for free:
// - compose hostnames (`postgres`, `redis`) point at the local servers;
// - the database and role names of the postgres service become throwaway ones of this test;
// - `/run/secrets/<name>` points at a copy of the secret made by docker/make-secrets.sh
//   (with the two changes above applied to its content);
// - PORT is a free port (the container port 4001 may be taken on a shared machine);
// - an http URL naming another service of the file (the OTLP endpoint `http://jaeger:4318`)
//   points at a local stand-in that accepts whatever is sent (external images do not run here;
//   their config files are checked below instead).
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
  volumes?: string[];
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

/** Stands in for the services of images that do not run here (the OTLP collector): answers 200 to anything. */
let standIn: Server;
let standInPort = 0;

beforeAll(ensureBuilt, 180_000);
beforeAll(async () => {
  standIn = createServer((req, res) => req.resume().on("end", () => res.writeHead(200, { "content-type": "application/x-protobuf" }).end()));
  await new Promise<void>((resolve) => standIn.listen(0, "127.0.0.1", resolve));
  standInPort = (standIn.address() as AddressInfo).port;
});
afterAll(() => {
  standIn?.close();
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
    if (/^https?:\/\//.test(value)) {
      const url = new URL(value);
      const other = compose.services[url.hostname];
      if (other && !ours(other)) Object.assign(url, { hostname: "127.0.0.1", port: String(standInPort) });
      return url.toString().replace(/\/$/, value.endsWith("/") ? "/" : "");
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
    expect(Object.entries(compose.services).filter(([, service]) => ours(service)).map(([name]) => name).sort()).toEqual(["crm-subgraph", "crm-subgraph-dev", "crm-subgraph-traced", "migrate"]);
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

/** A service's bind mounts: host path (from the repository) -> container path. */
function mountsOf(name: string): { host: string; container: string }[] {
  return (compose.services[name].volumes ?? [])
    .map((volume) => volume.split(":"))
    .filter(([source]) => source.startsWith("./"))
    .map(([source, container]) => ({ host: join(root, source), container }));
}
/** Where a container path of a service is in the repository (through its bind mounts). */
function hostPathOf(name: string, containerPath: string): string | undefined {
  for (const { host, container } of mountsOf(name)) {
    if (containerPath === container) return host;
    if (containerPath.startsWith(`${container}/`)) return join(host, posix.relative(container, containerPath));
  }
  return undefined;
}
const serviceWithImage = (prefix: string) => Object.entries(compose.services).find(([, service]) => service.image?.startsWith(prefix))?.[0] ?? "";
/** The long-running subgraphs a profile starts (one-shot jobs excluded). */
const subgraphsOf = (profile: string | null) => startOrder(profile).filter((name) => ours(compose.services[name]) && !oneShot(name));

describe("docker-compose.yml, profile observability: the files its services mount and how they reach each other", () => {
  const prometheusService = serviceWithImage("prom/prometheus");
  const grafanaService = serviceWithImage("grafana/grafana");
  const prometheusConfig = hostPathOf(prometheusService, /--config\.file=(\S+)/.exec((compose.services[prometheusService]?.command ?? []).join(" "))?.[1] ?? "");

  it("is a profile of Prometheus, Grafana, a trace collector and a traced subgraph, and the header says how to start it", () => {
    expect(profiles).toContain("observability");
    const members = Object.entries(compose.services).filter(([, service]) => service.profiles?.includes("observability")).map(([name]) => name);
    expect(members).toEqual(expect.arrayContaining([prometheusService, grafanaService, "jaeger", "crm-subgraph-traced"]));
    expect(composeText).toMatch(/^#\s+docker compose --profile observability up -d/m);
  });

  it("every file or folder a service mounts from the repository exists", () => {
    const mounts = Object.keys(compose.services).flatMap((name) => mountsOf(name).map((mount) => ({ name, ...mount })));
    expect(mounts.length).toBeGreaterThan(0);
    for (const mount of mounts) expect(existsSync(mount.host), `${mount.name} mounts ${relative(root, mount.host)}`).toBe(true);
  });

  it("Prometheus scrapes every subgraph of the profile on the port it listens on, as the job the alert rules select, and loads those rules", () => {
    expect(prometheusConfig && existsSync(prometheusConfig), "the --config.file Prometheus is started with is a mounted file").toBe(true);
    const config = parse(readFileSync(prometheusConfig!, "utf8")) as {
      rule_files: string[];
      scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    const selectedJobs = new Set([...readFileSync(join(root, "deploy", "prometheus", "alerts.yml"), "utf8").matchAll(/job="([^"]+)"/g)].map(([, job]) => job));
    expect([...selectedJobs]).toHaveLength(1);
    const job = config.scrape_configs.find((candidate) => selectedJobs.has(candidate.job_name));
    expect(job, `a scrape job named ${[...selectedJobs][0]}`).toBeDefined();
    expect(job!.metrics_path ?? "/metrics").toBe("/metrics");
    const targets = job!.static_configs.flatMap((group) => group.targets).sort();
    const subgraphs = subgraphsOf("observability");
    expect(subgraphs.length).toBeGreaterThanOrEqual(2);
    expect(targets).toEqual(subgraphs.map((name) => `${name}:${compose.services[name].environment?.PORT}`).sort());
    const rules = config.rule_files.map((file) => join(dirname(prometheusConfig!), file));
    expect(rules).toEqual([join(root, "deploy", "prometheus", "alerts.yml")]);
    expect(compose.services[prometheusService].ports?.map((port) => port.split(":").at(-1))).toEqual(["9090"]);
  });

  it.skipIf(!prometheusTools)("promtool check config accepts Prometheus's config and the rules it loads", () => {
    const { status, output } = promtool(prometheusTools!, ["check", "config", prometheusConfig!]);
    expect(status, output).toBe(0);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("Grafana is provisioned with the stack's Prometheus and the dashboard, which is its home", () => {
    const provisioning = hostPathOf(grafanaService, "/etc/grafana/provisioning");
    expect(provisioning && statSync(provisioning).isDirectory(), "deploy/grafana/provisioning is mounted on /etc/grafana/provisioning").toBe(true);
    const yamlIn = (folder: string) => readdirSync(join(provisioning!, folder)).filter((file) => /\.ya?ml$/.test(file)).map((file) => parse(readFileSync(join(provisioning!, folder, file), "utf8")));

    const datasources = yamlIn("datasources").flatMap((file: { datasources: { type: string; url: string; isDefault?: boolean }[] }) => file.datasources);
    expect(datasources).toEqual([expect.objectContaining({ type: "prometheus", url: `http://${prometheusService}:9090`, isDefault: true })]);

    const providers = yamlIn("dashboards").flatMap((file: { providers: { type: string; options: { path: string } }[] }) => file.providers);
    expect(providers).toHaveLength(1);
    const dashboards = mountsOf(grafanaService).filter((mount) => mount.container.endsWith(".json"));
    expect(dashboards.map((mount) => relative(root, mount.host))).toEqual(["deploy/grafana/crm-subgraph.json"]);
    for (const mount of dashboards) {
      expect(posix.dirname(mount.container)).toBe(providers[0].options.path);
      const dashboard = JSON.parse(readFileSync(mount.host, "utf8")) as { uid: string; panels: unknown[] };
      expect(dashboard.uid).toBeTruthy();
      expect(dashboard.panels.length).toBeGreaterThan(0);
    }
    const home = compose.services[grafanaService].environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(dashboards.map((mount) => mount.container)).toContain(home);
    expect(compose.services[grafanaService].depends_on ?? {}).toHaveProperty(prometheusService);
  });

  it("the traced subgraph sends OTLP over HTTP to a collector of the same profile that takes it", () => {
    const traced = subgraphsOf("observability").filter((name) => compose.services[name].environment?.OTEL_EXPORTER_OTLP_ENDPOINT);
    expect(traced).toEqual(["crm-subgraph-traced"]);
    const environment = compose.services["crm-subgraph-traced"].environment ?? {};
    const endpoint = new URL(environment.OTEL_EXPORTER_OTLP_ENDPOINT);
    expect(endpoint.protocol).toBe("http:");
    expect(endpoint.port, "OTLP/HTTP's port").toBe("4318");
    const collector = compose.services[endpoint.hostname];
    expect(collector?.profiles, `${endpoint.hostname} is a service of the profile`).toContain("observability");
    expect(collector.environment?.COLLECTOR_OTLP_ENABLED).toBe("true");
    expect(environment.OTEL_SERVICE_NAME).toBe("crm-subgraph");
    // The default profile sends no traces anywhere.
    for (const name of subgraphsOf(null)) expect(compose.services[name].environment?.OTEL_EXPORTER_OTLP_ENDPOINT, name).toBeUndefined();
  });
});
