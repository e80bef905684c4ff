import { boundedText } from "../shared/text";

export const MAX_COMPANY_NAME_LENGTH = 200;

/** The lead's company: trimmed, up to 200 characters. */
export class CompanyName {
  private constructor(readonly value: string) {}

  /** Blank means "no company", not an error: forms send "" for an empty field. */
  static create(raw: string | null | undefined, field = "company"): CompanyName | null {
    if (raw == null || (typeof raw === "string" && raw.trim() === "")) return null;
    return new CompanyName(boundedText(raw, field, { min: 1, max: MAX_COMPANY_NAME_LENGTH }));
  }

  equals(other: CompanyName | null): boolean {
    return other !== null && this.value === other.value;
  }
}
