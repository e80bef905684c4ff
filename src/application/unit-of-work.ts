import type { LeadEvent } from "../domain/lead/events";
import type { Lead } from "../domain/lead/lead";
import type { LeadRepository } from "../domain/lead/lead-repository";
import type { LeadView } from "./lead-view";

/** Where a command's events go, in the same transaction as the change. */
export interface EventOutbox {
  /** `leadAfter` is the lead as of these events (null once deleted), carried to live subscribers. */
  append(events: LeadEvent[], leadAfter: LeadView | null): Promise<void>;
  /** Many leads' events at once (a bulk import), each batch with its own lead snapshot: one statement, not one per lead. */
  appendEach(batches: readonly { events: LeadEvent[]; leadAfter: LeadView | null }[]): Promise<void>;
}

export interface TenantTransaction {
  leads: LeadRepository;
  outbox: EventOutbox;
}

/**
 * One database transaction scoped to one tenant: everything a command does
 * (load, change, save, outbox) commits or rolls back together.
 */
export interface UnitOfWork {
  run<T>(tenantId: string, work: (tx: TenantTransaction) => Promise<T>): Promise<T>;
  /**
   * A new lead and its events, committed together as a transaction of their
   * own (nothing to load first, so nothing else belongs in it), or neither:
   * throws LeadAlreadyExistsError (with the holder's id) if another lead of
   * the tenant holds the address, also one a racing transaction commits.
   */
  addNewLead(tenantId: string, lead: Lead, events: LeadEvent[], leadAfter: LeadView): Promise<void>;
}
