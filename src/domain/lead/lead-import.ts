import { LeadAlreadyExistsError, ValidationError, type DomainError } from "../shared/domain-error";

/** At most this many rows per import call (docs/domain.md: Import). */
export const MAX_IMPORT_ROWS = 1000;

export type DuplicatePolicy = "SKIP" | "FAIL";
export type ImportRowStatus = "IMPORTED" | "SKIPPED" | "FAILED";

/** What became of one row of an import. `leadId`: the new lead (IMPORTED). */
export interface ImportRowOutcome {
  status: ImportRowStatus;
  leadId: string | null;
  existingLeadId: string | null;
  error: { code: string; message: string; field: string | null } | null;
}

/** None, or more than 1,000 rows: the whole call is refused and nothing is imported. */
export function assertImportSize(rows: number): void {
  if (rows < 1 || rows > MAX_IMPORT_ROWS) {
    throw new ValidationError("leads", `leads must hold 1 to ${MAX_IMPORT_ROWS} rows (got ${rows})`);
  }
}

export function imported(leadId: string): ImportRowOutcome {
  return { status: "IMPORTED", leadId, existingLeadId: null, error: null };
}

/** A row refused on its own (bad input): the other rows go on. */
export function failed(error: DomainError): ImportRowOutcome {
  const field = typeof error.details.field === "string" ? error.details.field : null;
  return { status: "FAILED", leadId: null, existingLeadId: null, error: { code: error.code, message: error.message, field } };
}

/**
 * A row whose email is taken, in the tenant or by an earlier row of the call:
 * SKIPPED, or FAILED with LEAD_ALREADY_EXISTS, naming the lead that has it
 * (null only if that lead was erased in the meantime).
 */
export function duplicate(policy: DuplicatePolicy, existingLeadId: string | null): ImportRowOutcome {
  if (policy === "SKIP") return { status: "SKIPPED", leadId: null, existingLeadId, error: null };
  const { message } = new LeadAlreadyExistsError(existingLeadId ?? "");
  return { status: "FAILED", leadId: null, existingLeadId, error: { code: "LEAD_ALREADY_EXISTS", message, field: "email" } };
}
