import { boundedText } from "../shared/text";

/** Why a lead was lost: required, so the pipeline can be learned from; 1..500 characters. */
export class LostReason {
  private constructor(readonly value: string) {}

  static create(raw: string, field = "reason"): LostReason {
    return new LostReason(boundedText(raw, field, { min: 1, max: 500 }));
  }

  equals(other: LostReason): boolean {
    return this.value === other.value;
  }
}
