import { commandLineOptions } from "../command-line";
import { connectForTenantWork, runCli, tenantOption, UsageError } from "./tenant-work";
import { eraseTenant } from "./tenant-erase";
import { loadConfig } from "../config";
import { forgetCachedAnswers } from "../cache/forget-cached-answers";

const USAGE = `usage: npm run tenant:erase -- --tenant <uuid> --confirm <the same uuid>

Removes every row of the tenant (all tables), its entries in the CRM's event
streams, and publishes one events:TenantErased {tenant_id}. Idempotent: a second
run erases nothing and exits 0. Prints the counts as JSON on stdout. Uses
DATABASE_URL (and REDIS_URL / REDIS_CLUSTER_NODES / REDIS_SENTINELS), else the
embedded database under DATA_DIR.`;

runCli("tenant:erase", async () => {
  const values = commandLineOptions(USAGE, {
    tenant: { type: "string" },
    confirm: { type: "string" },
  });
  const tenantId = tenantOption(values.tenant, USAGE);
  if (typeof values.confirm !== "string" || values.confirm.toLowerCase() !== tenantId) {
    throw new UsageError("refused: --confirm must repeat the tenant id exactly; nothing was erased");
  }
  const config = loadConfig();
  const work = await connectForTenantWork(config);
  try {
    const erased = await eraseTenant(work.client, work.redis, tenantId);
    // Running services must not answer from what they cached before the erase.
    if (work.redis) await forgetCachedAnswers(work.redis, config.cache.keyPrefix, tenantId);
    if (!work.redis) process.stderr.write("tenant:erase: no Redis configured: streams not cleaned, nothing announced\n");
    console.log(JSON.stringify({ tenant: tenantId, ...erased }));
  } finally {
    await work.done();
  }
});
