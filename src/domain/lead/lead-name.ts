import { boundedText } from "../shared/text";

/** What the lead is called: trimmed, 1..200 characters. */
export class LeadName {
  private constructor(readonly value: string) {}

  static create(raw: string, field = "name"): LeadName {
    return new LeadName(boundedText(raw, field, { min: 1, max: 200 }));
  }

  equals(other: LeadName): boolean {
    return this.value === other.value;
  }
}
