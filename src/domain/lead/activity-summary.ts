import { boundedText } from "../shared/text";

export class ActivitySummary {
  private constructor(readonly value: string) {}

  /** What happened in a call, meeting, email or note: 1..2000 characters. */
  static create(raw: string, field = "summary"): ActivitySummary {
    return new ActivitySummary(boundedText(raw, field, { min: 1, max: 2000 }));
  }
}
