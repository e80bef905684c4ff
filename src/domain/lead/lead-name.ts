import { boundedText } from "../shared/text";

export class LeadName {
  private constructor(readonly value: string) {}

  /** Trimmed, 1..200 characters. */
  static create(raw: string, field = "name"): LeadName {
    return new LeadName(boundedText(raw, field, { min: 1, max: 200 }));
  }

  equals(other: LeadName): boolean {
    return this.value === other.value;
  }
}
