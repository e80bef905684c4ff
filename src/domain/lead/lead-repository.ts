import type { Activity } from "./activity";
import type { Email } from "./email";
import type { Lead } from "./lead";

/** The port through which the application stores leads; an adapter is bound to one tenant transaction. */
export interface LeadRepository {
  /** Loads the lead and locks it for the rest of the transaction (concurrent commands queue up). */
  findForUpdate(leadId: string): Promise<Lead | null>;
  /** The id of the lead holding this address in the tenant, if any. */
  findIdByEmail(email: Email): Promise<string | null>;
  /** One activity of the lead; null if the lead has none with that id (another lead's included). */
  findActivity(leadId: string, activityId: string): Promise<Activity | null>;
  /** Persists changes (and new, corrected and removed activities); throws VersionConflictError if the stored version moved. */
  save(lead: Lead, loadedVersion: number): Promise<void>;
  /** Erases the lead and its activities (right to erasure). */
  remove(lead: Lead): Promise<void>;

  // Bulk import and merge.
  /**
   * Inserts new leads in one go, leaving out each whose email another lead of
   * the tenant holds (also one committed by a racing import or capture: the
   * unique index decides). Returns the ids of the leads inserted.
   */
  addAll(leads: readonly Lead[]): Promise<Set<string>>;
  /** The leads holding these (normalised) addresses in the tenant: email -> id. */
  findIdsByEmails(emails: readonly string[]): Promise<Map<string, string>>;
  /** Moves every activity of `from` to `to`, keeping ids, actors and times; returns how many moved. */
  moveActivities(from: Lead, to: Lead): Promise<number>;
}
