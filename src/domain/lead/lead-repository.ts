import type { Email } from "./email";
import type { Lead } from "./lead";

/** The port through which the application stores leads; bound to one tenant transaction. */
export interface LeadRepository {
  /** Loads the lead and locks it for the rest of the transaction (concurrent commands queue up). */
  findForUpdate(leadId: string): Promise<Lead | null>;
  /** The lead holding this address, if any; the address stays reserved until the transaction ends. */
  findIdByEmail(email: Email): Promise<string | null>;
  /** Inserts a newly captured lead. */
  add(lead: Lead): Promise<void>;
  /** Persists changes and new activities; throws VersionConflictError if the stored version moved. */
  save(lead: Lead, loadedVersion: number): Promise<void>;
  /** Erases the lead and its activities. */
  remove(lead: Lead): Promise<void>;
}
