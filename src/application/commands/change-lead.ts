import type { Change, Lead } from "../../domain/lead/lead";
import { LeadNotFoundError, VersionConflictError } from "../../domain/shared/domain-error";
import type { Actor } from "../actor";
import { leadViewOf, type LeadView } from "../lead-view";
import type { TenantTransaction } from "../unit-of-work";
import type { CommandDeps } from "./command-deps";

export interface LeadTarget {
  leadId: string;
  /** Optimistic concurrency: when given, the stored version must equal it. */
  expectedVersion?: number | null;
}

export function changeFor(deps: CommandDeps, actor: Actor): Change {
  return { actorId: actor.userId, now: deps.clock(), newEventId: deps.newId };
}

/**
 * The shape every command on an existing lead shares: in one tenant
 * transaction, load the lead (locked, so concurrent commands queue instead of
 * failing), check the expected version, let the domain act, then save the
 * lead and its events together. A command that changed nothing writes nothing.
 * Input must be validated by the caller before this runs (docs/domain.md: input errors
 * win over NOT_FOUND and CONFLICT).
 */
export async function changeLead<R = void, P = undefined>(
  deps: CommandDeps,
  actor: Actor,
  target: LeadTarget & {
    /**
     * Checks the rules order after the lead's existence and before CONFLICT (an
     * activity's existence, who may change it); what it finds is handed to `act`.
     */
    prepare?: (lead: Lead, tx: TenantTransaction) => Promise<P>;
  },
  act: (lead: Lead, change: Change, tx: TenantTransaction, prepared: P) => R | Promise<R>,
): Promise<{ lead: LeadView; result: R }> {
  return deps.unitOfWork.run(actor.tenantId, async (tx) => {
    const { leads, outbox } = tx;
    const lead = await leads.findForUpdate(target.leadId);
    if (!lead) throw new LeadNotFoundError(target.leadId);
    const prepared = target.prepare ? await target.prepare(lead, tx) : (undefined as P);
    const loadedVersion = lead.version;
    if (target.expectedVersion != null && target.expectedVersion !== loadedVersion) {
      throw new VersionConflictError(target.expectedVersion, loadedVersion);
    }
    const result = await act(lead, changeFor(deps, actor), tx, prepared);
    const events = lead.pullEvents();
    const view = leadViewOf(lead.state);
    if (events.length > 0) {
      await leads.save(lead, loadedVersion);
      await outbox.append(events, view);
    }
    return { lead: view, result };
  });
}
