import { ValidationError } from "../shared/domain-error";
import { quoted } from "../shared/text";

// The dot-atom of RFC 5322 (no quoted local parts: no CRM user types those).
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const TOP_LEVEL = /^[a-z]{2,}$/;
const MAX_LENGTH = 254; // RFC 5321 path limit
const MAX_LOCAL_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;

/** A lead's address: trimmed, lowercased, unique per tenant. */
export class Email {
  private constructor(readonly value: string) {}

  static create(raw: string, field = "email"): Email {
    const refuse = () => new ValidationError(field, `${field}: ${quoted(raw)} is not a valid email address`);
    if (typeof raw !== "string") throw refuse();
    const value = raw.trim().toLowerCase();
    if (value.length > MAX_LENGTH) throw new ValidationError(field, `${field} must be at most ${MAX_LENGTH} characters long (got ${value.length})`);
    const at = value.lastIndexOf("@");
    if (at <= 0) throw refuse();
    const local = value.slice(0, at);
    const labels = value.slice(at + 1).split(".");
    if (local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) throw refuse();
    if (labels.length < 2 || !labels.every((label) => label.length <= MAX_LABEL_LENGTH && DOMAIN_LABEL.test(label))) throw refuse();
    if (!TOP_LEVEL.test(labels[labels.length - 1])) throw refuse();
    return new Email(value);
  }

  /** The part after the @: what company enrichment looks up. */
  get domain(): string {
    return this.value.slice(this.value.lastIndexOf("@") + 1);
  }

  equals(other: Email): boolean {
    return this.value === other.value;
  }
}
