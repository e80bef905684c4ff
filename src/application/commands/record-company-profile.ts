import type { CompanyProfile } from "../../domain/lead/company-profile";
import { LeadNotFoundError } from "../../domain/shared/domain-error";
import type { Actor } from "../actor";
import type { LeadView } from "../lead-view";
import type { CommandDeps } from "./command-deps";
import { changeLead } from "./change-lead";

/**
 * Records what company enrichment learned. A lead erased meanwhile is not an
 * error for the enrichment consumer: it returns null and moves on.
 */
export async function recordCompanyProfile(
  deps: CommandDeps,
  actor: Actor,
  input: { leadId: string; profile: CompanyProfile },
): Promise<LeadView | null> {
  try {
    const { lead } = await changeLead(deps, actor, { leadId: input.leadId }, (lead, change) =>
      lead.recordEnrichment(input.profile, change),
    );
    return lead;
  } catch (error) {
    if (error instanceof LeadNotFoundError) return null;
    throw error;
  }
}
