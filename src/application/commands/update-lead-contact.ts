import { CompanyName } from "../../domain/lead/company-name";
import { Email } from "../../domain/lead/email";
import { LeadName } from "../../domain/lead/lead-name";
import { Phone } from "../../domain/lead/phone";
import { LeadAlreadyExistsError, ValidationError } from "../../domain/shared/domain-error";
import { parseUuid } from "../../domain/shared/identifier";
import type { Actor } from "../actor";
import type { LeadView } from "../lead-view";
import type { CommandDeps } from "./command-deps";
import { changeLead } from "./change-lead";

/** An omitted field stays as it is; null clears phone or company. */
export interface UpdateLeadContactInput {
  id: string;
  expectedVersion?: number | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  company?: string | null;
}

export async function updateLeadContact(deps: CommandDeps, actor: Actor, input: UpdateLeadContactInput): Promise<LeadView> {
  const leadId = parseUuid(input.id, "id");
  if (input.name === null) throw new ValidationError("name", "name cannot be cleared");
  if (input.email === null) throw new ValidationError("email", "email cannot be cleared");
  const changes = {
    name: input.name === undefined ? undefined : LeadName.create(input.name),
    email: input.email === undefined ? undefined : Email.create(input.email),
    phone: input.phone === undefined ? undefined : Phone.create(input.phone),
    company: input.company === undefined ? undefined : CompanyName.create(input.company),
  };
  const { lead } = await changeLead(deps, actor, { leadId, expectedVersion: input.expectedVersion }, async (lead, change, { leads }) => {
    if (changes.email && changes.email.value !== lead.state.email) {
      const holderId = await leads.findIdByEmail(changes.email);
      if (holderId && holderId !== lead.id) throw new LeadAlreadyExistsError(holderId);
    }
    lead.updateContact(changes, change);
  });
  return lead;
}
