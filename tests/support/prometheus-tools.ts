import { spawnSync } from "node:child_process";
import { join } from "node:path";

export interface PrometheusTools {
  promtool: string;
  prometheus: string;
}

const root = join(__dirname, "..", "..");
const inCi = process.env.CI === "true";

/**
 * promtool and prometheus (Debian's `prometheus` package), found by scripts/prometheus-tools.sh.
 * In CI (`CI=true`) they are required: the script fetches them when missing, and a failure fails
 * the test file. Elsewhere a machine without them skips these tests and says how to get them
 * (`scripts/prometheus-tools.sh --install`): a newcomer's `npm test` is not red for a tool, and
 * CI still proves the rules.
 */
function locate(): PrometheusTools | null {
  const found = spawnSync("sh", [join(root, "scripts", "prometheus-tools.sh"), ...(inCi ? ["--install"] : [])], { encoding: "utf8" });
  if (found.status === 0) {
    const dir = found.stdout.trim().split("\n").at(-1) ?? "";
    return { promtool: join(dir, "promtool"), prometheus: join(dir, "prometheus") };
  }
  const why = (found.stderr || found.error?.message || "scripts/prometheus-tools.sh failed").trim();
  if (inCi) throw new Error(`CI=true requires promtool and prometheus: ${why}`);
  console.warn(`SKIPPED (not in CI): the Prometheus tests need promtool and prometheus. ${why}`);
  return null;
}

export const prometheusTools: PrometheusTools | null = locate();

/** Runs promtool with arguments; status and everything it printed. */
export function promtool(tools: PrometheusTools, args: string[], cwd?: string): { status: number | null; output: string } {
  const run = spawnSync(tools.promtool, args, { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
