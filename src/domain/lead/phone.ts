import { ValidationError } from "../shared/domain-error";

const E164 = /^\+[1-9]\d{6,14}$/;

/** A phone number in E.164, after the usual separators are stripped. */
export class Phone {
  private constructor(readonly value: string) {}

  static create(raw: string | null | undefined, field = "phone"): Phone | null {
    if (raw == null) return null;
    const value = typeof raw === "string" ? raw.replace(/[\s\-.()]/g, "") : "";
    if (!E164.test(value)) {
      throw new ValidationError(field, `${field} must be an international number like +14155550123`);
    }
    return new Phone(value);
  }

  equals(other: Phone | null): boolean {
    return other !== null && this.value === other.value;
  }
}
