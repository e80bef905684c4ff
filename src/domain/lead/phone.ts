import { ValidationError } from "../shared/domain-error";
import { quoted } from "../shared/text";

// How people write numbers ("+1 (415) 555-0123"); stripped before the E.164 check.
const SEPARATORS = /[\s\-.()]/g;
const E164 = /^\+[1-9]\d{6,14}$/;

/** A phone number in E.164, e.g. +14155550123. */
export class Phone {
  private constructor(readonly value: string) {}

  /** null or undefined means "no phone"; a blank string is a malformed number, not a clearing. */
  static create(raw: string | null | undefined, field = "phone"): Phone | null {
    if (raw == null) return null;
    const value = typeof raw === "string" ? raw.replace(SEPARATORS, "") : "";
    if (!E164.test(value)) {
      throw new ValidationError(field, `${field}: ${quoted(raw)} is not an international phone number like +14155550123`);
    }
    return new Phone(value);
  }

  equals(other: Phone | null): boolean {
    return other !== null && this.value === other.value;
  }
}
