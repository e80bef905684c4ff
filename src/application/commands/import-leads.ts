import type { LeadEvent } from "../../domain/lead/events";
import { Lead } from "../../domain/lead/lead";
import {
  assertImportSize,
  duplicate,
  failed,
  imported,
  type DuplicatePolicy,
  type ImportRowOutcome,
} from "../../domain/lead/lead-import";
import { DomainError } from "../../domain/shared/domain-error";
import type { Actor } from "../actor";
import { leadViewOf, type LeadView } from "../lead-view";
import { captureArgsOf, type CaptureLeadInput } from "./capture-lead";
import type { CommandDeps } from "./command-deps";
import { changeFor } from "./change-lead";

export interface ImportLeadsInput {
  leads: CaptureLeadInput[];
  onDuplicate?: DuplicatePolicy | null;
}

export interface ImportRowResult extends ImportRowOutcome {
  index: number;
  lead: LeadView | null;
}

export interface ImportLeadsResult {
  imported: number;
  skipped: number;
  failed: number;
  rows: ImportRowResult[];
}

/**
 * Captures many leads in one tenant transaction. Each row is validated and
 * scored by the same capture path as captureLead and stands alone: a bad row
 * fails, the others go on. The first row with an address claims it; a later
 * row with the same address, or one whose address the tenant already has, is
 * a duplicate (SKIP or FAIL). The SQL is set-based: one INSERT for all the
 * leads (ON CONFLICT on the tenant's email index decides races with other
 * imports and captures), one SELECT for the addresses already taken (only if
 * any were), one INSERT for all the LeadCaptured events: at most three
 * statements, whatever the number of rows.
 */
export async function importLeads(deps: CommandDeps, actor: Actor, input: ImportLeadsInput): Promise<ImportLeadsResult> {
  const policy = input.onDuplicate ?? "SKIP";
  assertImportSize(input.leads.length);
  const outcomes: (ImportRowOutcome | null)[] = new Array(input.leads.length).fill(null);
  const change = changeFor(deps, actor);
  const candidates: { index: number; lead: Lead }[] = [];
  /** In-call duplicates: the later row points at the row that claimed the address first. */
  const claimedBy = new Map<string, number>();
  const laterRows: { index: number; email: string }[] = [];
  input.leads.forEach((row, index) => {
    let lead: Lead;
    try {
      lead = Lead.capture(captureArgsOf(deps, actor, row), change);
    } catch (error) {
      if (error instanceof DomainError) return void (outcomes[index] = failed(error));
      throw error;
    }
    if (claimedBy.has(lead.email)) return void laterRows.push({ index, email: lead.email });
    claimedBy.set(lead.email, index);
    candidates.push({ index, lead });
  });

  return deps.unitOfWork.run(actor.tenantId, async ({ leads, outbox }) => {
    const inserted = await leads.addAll(candidates.map((c) => c.lead));
    const taken = candidates.filter((c) => !inserted.has(c.lead.id));
    const holders = await leads.findIdsByEmails(taken.map((c) => c.lead.email));
    const leadIdOfEmail = new Map<string, string | null>();
    const views = new Map<number, LeadView>();
    const batches: { events: LeadEvent[]; leadAfter: LeadView }[] = [];
    for (const { index, lead } of candidates) {
      if (inserted.has(lead.id)) {
        const view = leadViewOf(lead.state);
        views.set(index, view);
        batches.push({ events: lead.pullEvents(), leadAfter: view });
        outcomes[index] = imported(lead.id);
        leadIdOfEmail.set(lead.email, lead.id);
      } else {
        const holder = holders.get(lead.email) ?? null;
        outcomes[index] = duplicate(policy, holder);
        leadIdOfEmail.set(lead.email, holder);
      }
    }
    for (const { index, email } of laterRows) outcomes[index] = duplicate(policy, leadIdOfEmail.get(email) ?? null);
    await outbox.appendEach(batches);
    return resultOf(outcomes as ImportRowOutcome[], views);
  });
}

function resultOf(outcomes: ImportRowOutcome[], views: Map<number, LeadView>): ImportLeadsResult {
  const rows = outcomes.map((outcome, index) => ({ ...outcome, index, lead: views.get(index) ?? null }));
  const count = (status: ImportRowOutcome["status"]) => rows.filter((row) => row.status === status).length;
  return { imported: count("IMPORTED"), skipped: count("SKIPPED"), failed: count("FAILED"), rows };
}
