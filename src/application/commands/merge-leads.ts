import type { Lead } from "../../domain/lead/lead";
import { assertDistinct, mergeLeads as mergeDuplicateInto } from "../../domain/lead/merge-leads";
import { LeadNotFoundError, VersionConflictError } from "../../domain/shared/domain-error";
import { parseUuid } from "../../domain/shared/identifier";
import type { Actor } from "../actor";
import { leadViewOf, type LeadView } from "../lead-view";
import type { CommandDeps } from "./command-deps";
import { changeFor } from "./change-lead";

export interface MergeLeadsInput {
  survivorId: string;
  duplicateId: string;
  /** The survivor's. */
  expectedVersion?: number | null;
}

/**
 * Folds the duplicate into the survivor in one tenant transaction. Both leads
 * are locked in one fixed order (by id), whichever is the survivor: two
 * opposite merges of one pair queue on the same first lock instead of
 * deadlocking, and the second then finds its duplicate (or survivor) gone:
 * NOT_FOUND. The duplicate is erased exactly as deleteLead erases it
 * (repository remove, LeadDeleted into the outbox, which scrubs its personal
 * data once published), after its activities moved to the survivor.
 */
export async function mergeLeads(deps: CommandDeps, actor: Actor, input: MergeLeadsInput): Promise<LeadView> {
  const survivorId = parseUuid(input.survivorId, "survivorId");
  const duplicateId = parseUuid(input.duplicateId, "duplicateId");
  assertDistinct(survivorId, duplicateId);
  return deps.unitOfWork.run(actor.tenantId, async ({ leads, outbox }) => {
    const locked = new Map<string, Lead | null>();
    for (const id of [survivorId, duplicateId].sort()) locked.set(id, await leads.findForUpdate(id));
    const survivor = locked.get(survivorId);
    const duplicate = locked.get(duplicateId);
    if (!survivor) throw new LeadNotFoundError(survivorId);
    if (!duplicate) throw new LeadNotFoundError(duplicateId);
    const loadedVersion = survivor.version;
    if (input.expectedVersion != null && input.expectedVersion !== loadedVersion) {
      throw new VersionConflictError(input.expectedVersion, loadedVersion);
    }
    mergeDuplicateInto(survivor, duplicate, changeFor(deps, actor));
    await leads.moveActivities(duplicate, survivor);
    await leads.save(survivor, loadedVersion);
    await leads.remove(duplicate);
    const view = leadViewOf(survivor.state);
    await outbox.append(survivor.pullEvents(), view);
    await outbox.append(duplicate.pullEvents(), null);
    return view;
  });
}
