import { CompanyName } from "../../domain/lead/company-name";
import { Email } from "../../domain/lead/email";
import { Lead, type CaptureArgs } from "../../domain/lead/lead";
import { LeadName } from "../../domain/lead/lead-name";
import type { LeadSource } from "../../domain/lead/lead-status";
import { Money } from "../../domain/lead/money";
import { Phone } from "../../domain/lead/phone";
import { TagSet } from "../../domain/lead/tag";
import { parseUuid } from "../../domain/shared/identifier";
import type { Actor } from "../actor";
import { leadViewOf, type LeadView } from "../lead-view";
import type { CommandDeps } from "./command-deps";
import { changeFor } from "./change-lead";

export interface CaptureLeadInput {
  name: string;
  email: string;
  phone?: string | null;
  company?: string | null;
  source: LeadSource;
  campaignId?: string | null;
  ownerId?: string | null;
  tags?: string[] | null;
  estimatedValue?: { amountMinor: number; currency: string } | null;
}

export async function captureLead(deps: CommandDeps, actor: Actor, input: CaptureLeadInput): Promise<LeadView> {
  const captured = captureArgsOf(deps, actor, input);
  const lead = Lead.capture(captured, changeFor(deps, actor));
  const view = leadViewOf(lead.state);
  // The lead and its LeadCaptured event in one transaction; the unique address decides duplicates (LEAD_ALREADY_EXISTS).
  await deps.unitOfWork.addNewLead(actor.tenantId, lead, lead.pullEvents(), view);
  return view;
}

/** The input made into the domain's values: every capture (one lead, or an import's row) validates here. */
export function captureArgsOf(deps: CommandDeps, actor: Actor, input: CaptureLeadInput): CaptureArgs {
  return {
    id: deps.newId(),
    tenantId: actor.tenantId,
    name: LeadName.create(input.name),
    email: Email.create(input.email),
    phone: Phone.create(input.phone),
    company: CompanyName.create(input.company),
    source: input.source,
    campaignId: input.campaignId == null ? null : parseUuid(input.campaignId, "campaignId"),
    ownerId: input.ownerId == null ? null : parseUuid(input.ownerId, "ownerId"),
    tags: TagSet.create(input.tags ?? []),
    estimatedValue: input.estimatedValue == null ? null : Money.create(input.estimatedValue),
  };
}
