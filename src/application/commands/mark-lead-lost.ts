import { LostReason } from "../../domain/lead/lost-reason";
import { parseUuid } from "../../domain/shared/identifier";
import type { Actor } from "../actor";
import type { LeadView } from "../lead-view";
import type { CommandDeps } from "./command-deps";
import { changeLead } from "./change-lead";

export async function markLeadLost(
  deps: CommandDeps,
  actor: Actor,
  input: { id: string; reason: string; expectedVersion?: number | null },
): Promise<LeadView> {
  const leadId = parseUuid(input.id, "id");
  const reason = LostReason.create(input.reason);
  const { lead } = await changeLead(deps, actor, { leadId, expectedVersion: input.expectedVersion }, (lead, change) =>
    lead.markLost(reason, change),
  );
  return lead;
}
