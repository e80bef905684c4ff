import { boundedText } from "../shared/text";

export class CompanyName {
  private constructor(readonly value: string) {}

  /** Trimmed, up to 200 characters; empty means no company. */
  static create(raw: string | null | undefined, field = "company"): CompanyName | null {
    if (raw == null || (typeof raw === "string" && raw.trim() === "")) return null;
    return new CompanyName(boundedText(raw, field, { min: 1, max: 200 }));
  }

  equals(other: CompanyName | null): boolean {
    return other !== null && this.value === other.value;
  }
}
