import { Lead } from "../../domain/lead/lead";
import { Money } from "../../domain/lead/money";
import { parseUuid } from "../../domain/shared/identifier";
import type { Actor } from "../actor";
import type { LeadView } from "../lead-view";
import type { CommandDeps } from "./command-deps";
import { changeLead } from "./change-lead";

export async function qualifyLead(
  deps: CommandDeps,
  actor: Actor,
  input: { id: string; estimatedValue: { amountMinor: number; currency: string }; expectedVersion?: number | null },
): Promise<LeadView> {
  const leadId = parseUuid(input.id, "id");
  const estimatedValue = Money.create(input.estimatedValue);
  Lead.assertQualifyingValue(estimatedValue);
  const { lead } = await changeLead(deps, actor, { leadId, expectedVersion: input.expectedVersion }, (lead, change) =>
    lead.qualify(estimatedValue, change),
  );
  return lead;
}
