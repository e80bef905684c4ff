import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { commandLineOptions } from "../command-line";
import { connectForTenantWork, runCli, tenantOption } from "./tenant-work";
import { exportTenant } from "./tenant-export";

const USAGE = `usage: npm run tenant:export -- --tenant <uuid> [--out <file>]

Writes the tenant's leads as NDJSON, one lead a line: {"lead", "activities", "history"}
(to <file>, else to stdout). Progress goes to stderr. Uses DATABASE_URL, else the
embedded database under DATA_DIR.`;

runCli("tenant:export", async () => {
  const values = commandLineOptions(USAGE, {
    tenant: { type: "string" },
    out: { type: "string" },
  });
  const tenantId = tenantOption(values.tenant, USAGE);
  const work = await connectForTenantWork();
  const out = typeof values.out === "string" ? createWriteStream(values.out) : process.stdout;
  try {
    const exported = await exportTenant(work.client, tenantId, out, (count) => process.stderr.write(`tenant:export: ${count} leads\n`));
    if (out !== process.stdout) {
      out.end();
      await finished(out);
    }
    process.stderr.write(`tenant:export: done, ${exported} leads of tenant ${tenantId}\n`);
  } finally {
    await work.done();
  }
});
