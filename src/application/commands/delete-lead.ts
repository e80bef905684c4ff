import { LeadNotFoundError } from "../../domain/shared/domain-error";
import { parseUuid } from "../../domain/shared/identifier";
import type { Actor } from "../actor";
import type { CommandDeps } from "./command-deps";
import { changeFor } from "./change-lead";

/** Right to erasure: the lead and its activities go; LeadDeleted goes out. */
export async function deleteLead(deps: CommandDeps, actor: Actor, input: { id: string }): Promise<string> {
  const leadId = parseUuid(input.id, "id");
  return deps.unitOfWork.run(actor.tenantId, async ({ leads, outbox }) => {
    const lead = await leads.findForUpdate(leadId);
    if (!lead) throw new LeadNotFoundError(leadId);
    lead.markDeleted(changeFor(deps, actor));
    await leads.remove(lead);
    await outbox.append(lead.pullEvents(), null);
    return lead.id;
  });
}
