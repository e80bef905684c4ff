import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../src/infrastructure/embedded-postgres";

export const hasRedisCluster = spawnSync("redis-cli", ["--version"]).status === 0 && spawnSync("redis-server", ["--version"]).status === 0;

/** A real three-node Redis Cluster (no replicas) on free local ports. */
export class ThrowawayRedisCluster {
  private constructor(
    readonly ports: number[],
    private readonly children: ChildProcess[],
    private readonly dir: string,
  ) {}

  static async start(): Promise<ThrowawayRedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), "crm-redis-cluster-"));
    const ports = [await freePort(), await freePort(), await freePort()];
    const children = ports.map((port) =>
      spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", join(dir, `nodes-${port}.conf`), "--save", "", "--appendonly", "no", "--dir", dir],
        { stdio: "ignore" },
      ),
    );
    for (const port of ports) {
      for (let attempt = 0; attempt < 100 && spawnSync("redis-cli", ["-p", String(port), "ping"]).stdout?.toString().trim() !== "PONG"; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const create = spawnSync("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes"], { encoding: "utf8" });
    if (create.status !== 0) throw new Error(`cluster create failed: ${create.stdout}${create.stderr}`);
    for (let attempt = 0; attempt < 100; attempt++) {
      const info = spawnSync("redis-cli", ["-p", String(ports[0]), "cluster", "info"], { encoding: "utf8" }).stdout;
      if (info.includes("cluster_state:ok")) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return new ThrowawayRedisCluster(ports, children, dir);
  }

  get nodes(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(",");
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map((child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGKILL"))))),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
