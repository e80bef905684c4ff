import { boundedText } from "../shared/text";

export class LostReason {
  private constructor(readonly value: string) {}

  /** Why a lead was lost: required, 1..500 characters. */
  static create(raw: string, field = "reason"): LostReason {
    return new LostReason(boundedText(raw, field, { min: 1, max: 500 }));
  }
}
