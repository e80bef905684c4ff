import { ValidationError } from "../shared/domain-error";

const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const TOP_LEVEL = /^[a-z]{2,63}$/;

/** A lead's address: trimmed, lowercased, unique per tenant. */
export class Email {
  private constructor(readonly value: string) {}

  static create(raw: string, field = "email"): Email {
    const refuse = () => new ValidationError(field, `${field} is not a valid email address`);
    if (typeof raw !== "string") throw refuse();
    const value = raw.trim().toLowerCase();
    if (value.length > 254) throw new ValidationError(field, `${field} must be at most 254 characters`);
    const at = value.lastIndexOf("@");
    if (at <= 0) throw refuse();
    const local = value.slice(0, at);
    const labels = value.slice(at + 1).split(".");
    if (local.length > 64 || !LOCAL_PART.test(local)) throw refuse();
    if (labels.length < 2 || !labels.every((label) => label.length <= 63 && DOMAIN_LABEL.test(label))) throw refuse();
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
