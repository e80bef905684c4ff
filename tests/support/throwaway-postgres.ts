import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { freePort } from "../../src/infrastructure/embedded-postgres";
import { migrate } from "../../src/infrastructure/prisma/migrator";
import { ensureRuntimeRole } from "../../src/infrastructure/prisma/roles";
import type { TestDatabase } from "./test-database";

/** The local PostgreSQL binaries (Debian layout), or null. */
export function postgresBinaries(): string | null {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const version = readdirSync(base).sort().at(-1);
  return version && existsSync(join(base, version, "bin", "pg_ctl")) ? join(base, version, "bin") : null;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL tool as the `postgres` OS user when we are root (initdb and pg_ctl refuse root). */
function tool(bin: string, name: string, args: string[]): void {
  const [command, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, name), ...args]] : [join(bin, name), args];
  const result = spawnSync(command, argv, { encoding: "utf8", cwd: tmpdir() });
  if (result.status !== 0) throw new Error(`${name} failed: ${result.stdout}${result.stderr}`);
}

/** A PostgreSQL cluster of the test's own, on its own port, to stop and start during a test. */
export class ThrowawayPostgres {
  private constructor(
    private readonly bin: string,
    readonly dataDir: string,
    readonly port: number,
  ) {}

  /** A streaming replica of this cluster: pg_basebackup -R into a folder, a second postmaster on its own port. */
  async replicate(): Promise<ThrowawayPostgres> {
    const replica = new ThrowawayPostgres(this.bin, join(this.dataDir, "..", `replica-${Date.now()}`), await freePort());
    tool(this.bin, "pg_basebackup", ["-D", replica.dataDir, "-R", "-X", "stream", "-h", "127.0.0.1", "-p", String(this.port), "-U", "postgres"]);
    await replica.start();
    return replica;
  }

  static async create(): Promise<ThrowawayPostgres> {
    const bin = postgresBinaries();
    if (!bin) throw new Error("no PostgreSQL binaries");
    const root = mkdtempSync(join(tmpdir(), "crm-throwaway-pg-"));
    if (asRoot) {
      const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
      const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
      chownSync(root, uid, gid);
    }
    const cluster = new ThrowawayPostgres(bin, join(root, "data"), await freePort());
    tool(bin, "initdb", ["-D", cluster.dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
    await cluster.start();
    return cluster;
  }

  /**
   * Migrates the cluster's `postgres` database for the CRM and makes its runtime
   * role; the result plugs into startTestService (the cluster is dropped as a whole).
   */
  async prepareCrm(): Promise<TestDatabase & { runtimeUrlOn(port: number): string }> {
    const password = randomBytes(8).toString("hex");
    await ensureRuntimeRole(this.adminUrl, "crm_app", password);
    const runtimeUrlOn = (port: number) => `postgres://crm_app:${password}@127.0.0.1:${port}/postgres`;
    await migrate({ migrationUrl: this.adminUrl, runtimeUrl: runtimeUrlOn(this.port) });
    return { name: "postgres", adminUrl: this.adminUrl, runtimeUrl: runtimeUrlOn(this.port), runtimeRole: "crm_app", runtimeUrlOn, drop: async () => {} };
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    const log = `${this.dataDir}.log`;
    tool(this.bin, "pg_ctl", ["-D", this.dataDir, "-w", "-l", log, "-o", `-p ${this.port} -k ${join(this.dataDir, "..")} -c listen_addresses=127.0.0.1`, "start"]);
  }

  async stop(): Promise<void> {
    tool(this.bin, "pg_ctl", ["-D", this.dataDir, "-w", "-m", "fast", "stop"]);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => {});
    rmSync(join(this.dataDir, ".."), { recursive: true, force: true });
  }
}
