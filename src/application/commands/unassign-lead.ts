import { parseUuid } from "../../domain/shared/identifier";
import type { Actor } from "../actor";
import type { LeadView } from "../lead-view";
import type { CommandDeps } from "./command-deps";
import { changeLead } from "./change-lead";

export async function unassignLead(deps: CommandDeps, actor: Actor, input: { id: string; expectedVersion?: number | null }): Promise<LeadView> {
  const leadId = parseUuid(input.id, "id");
  const { lead } = await changeLead(deps, actor, { leadId, expectedVersion: input.expectedVersion }, (lead, change) => lead.unassign(change));
  return lead;
}
