import { boundedText } from "../shared/text";

/** What happened in a call, meeting, email or note: 1..2000 characters. */
export class ActivitySummary {
  private constructor(readonly value: string) {}

  static create(raw: string, field = "summary"): ActivitySummary {
    return new ActivitySummary(boundedText(raw, field, { min: 1, max: 2000 }));
  }

  equals(other: ActivitySummary): boolean {
    return this.value === other.value;
  }
}
