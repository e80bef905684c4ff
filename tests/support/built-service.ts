import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..", "..");

/**
 * dist/ up to date with the sources, for tests that run the built service or its tools as
 * operators do. Builds only when stale and one build at a time (scripts/build.mjs), so test
 * files running in parallel never rewrite dist/ under a process another one started.
 */
export function ensureBuilt(): void {
  const build = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "--if-stale"], { cwd: root, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
}

export interface BuiltServiceRun {
  child: ChildProcess;
  /** stdout and stderr as they arrived. */
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the output once it contains `text`; rejects if the process exits first or after `deadlineMs`. */
  outputContaining(text: string, deadlineMs?: number): Promise<string>;
}

/** `node dist/main.js` as operators run it, with only PATH and `env` in its environment. */
export function runBuiltService(env: Record<string, string>): BuiltServiceRun {
  const child = spawn(process.execPath, [join(root, "dist", "main.js")], { cwd: root, env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk;
    for (const waiter of waiters) waiter();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal as unknown as number))));
  const outputContaining = (text: string, deadlineMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!output.includes(text)) return;
        cleanup();
        resolve(output);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no "${text}" within ${deadlineMs} ms; the service printed:\n${output}`));
      }, deadlineMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      void exited.then(() => {
        if (!waiters.has(check)) return;
        cleanup();
        if (output.includes(text)) resolve(output);
        else reject(new Error(`the service exited before printing "${text}"; it printed:\n${output}`));
      });
      check();
    });
  return { child, output: () => output, exited, outputContaining };
}
