import { captureLead } from "../application/commands/capture-lead";
import type { CommandDeps } from "../application/commands/command-deps";
import { convertLead } from "../application/commands/convert-lead";
import { logLeadActivity } from "../application/commands/log-lead-activity";
import { markLeadContacted } from "../application/commands/mark-lead-contacted";
import { markLeadLost } from "../application/commands/mark-lead-lost";
import { qualifyLead } from "../application/commands/qualify-lead";
import type { Actor } from "../application/actor";
import { countLeads } from "../application/queries/list-leads";
import type { TenantReads } from "../infrastructure/read-store/tenant-reads";

/** Fixed ids, so a newcomer's token and bookmarks survive restarts. */
export const DEMO_TENANT_ID = "0d6f2c4e-8a1b-4c3d-9e5f-000000000001";
export const DEMO_USER_ID = "0d6f2c4e-8a1b-4c3d-9e5f-0000000000a1";

/** A small pipeline to click through in Sandbox, made through the real commands. */
export async function seedDemoTenant(commands: CommandDeps, reads: TenantReads): Promise<boolean> {
  const actor: Actor = { tenantId: DEMO_TENANT_ID, userId: DEMO_USER_ID };
  const existing = await reads.inTenant(DEMO_TENANT_ID, (db) => countLeads(db, DEMO_TENANT_ID, null));
  if (existing > 0) return false;

  const ada = await captureLead(commands, actor, {
    name: "Ada Lovelace",
    email: "ada@analytical-engines.example",
    phone: "+44 20 7946 0018",
    company: "Analytical Engines Ltd",
    source: "REFERRAL",
    ownerId: DEMO_USER_ID,
    tags: ["enterprise", "uk"],
  });
  await logLeadActivity(commands, actor, { leadId: ada.id, activity: { type: "CALL", summary: "Intro call: wants a pilot for 3 teams" } });
  await qualifyLead(commands, actor, { id: ada.id, estimatedValue: { amountMinor: 1_250_000, currency: "GBP" } });

  const grace = await captureLead(commands, actor, {
    name: "Grace Hopper",
    email: "grace@compilers.example",
    company: "Compilers Inc",
    source: "EVENT",
    ownerId: DEMO_USER_ID,
    tags: ["conference"],
  });
  await markLeadContacted(commands, actor, { id: grace.id });
  await qualifyLead(commands, actor, { id: grace.id, estimatedValue: { amountMinor: 480_000, currency: "USD" } });
  await convertLead(commands, actor, { id: grace.id });

  const linus = await captureLead(commands, actor, { name: "Linus Example", email: "linus@example.org", source: "COLD_OUTREACH" });
  await markLeadLost(commands, actor, { id: linus.id, reason: "Chose an in-house tool" });

  await captureLead(commands, actor, {
    name: "Margaret Hamilton",
    email: "margaret@apollo-guidance.example",
    phone: "+1 (617) 555-0142",
    source: "WEBSITE_FORM",
    tags: ["inbound"],
  });
  await captureLead(commands, actor, { name: "Alan Turing", email: "alan@bletchley.example", source: "PAID_AD", company: "Bletchley Park" });
  return true;
}
