import { parseUuid } from "../../domain/shared/identifier";
import type { Actor } from "../actor";
import type { LeadView } from "../lead-view";
import type { CommandDeps } from "./command-deps";
import { changeLead } from "./change-lead";

export async function assignLead(
  deps: CommandDeps,
  actor: Actor,
  input: { id: string; ownerId: string; expectedVersion?: number | null },
): Promise<LeadView> {
  const leadId = parseUuid(input.id, "id");
  const ownerId = parseUuid(input.ownerId, "ownerId");
  const { lead } = await changeLead(deps, actor, { leadId, expectedVersion: input.expectedVersion }, (lead, change) =>
    lead.assign(ownerId, change),
  );
  return lead;
}
