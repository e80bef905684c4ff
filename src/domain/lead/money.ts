import { ValidationError } from "../shared/domain-error";

const MAX_AMOUNT_MINOR = 2 ** 31 - 1;
const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** An amount in minor units (cents) of an ISO-4217 currency. */
export class Money {
  private constructor(
    readonly amountMinor: number,
    readonly currency: string,
  ) {}

  static create(raw: { amountMinor: number; currency: string }, field = "estimatedValue"): Money {
    const { amountMinor, currency } = raw ?? ({} as never);
    if (!Number.isInteger(amountMinor) || amountMinor < 0 || amountMinor > MAX_AMOUNT_MINOR) {
      throw new ValidationError(`${field}.amountMinor`, `${field}.amountMinor must be a whole number from 0 to ${MAX_AMOUNT_MINOR}`);
    }
    const code = typeof currency === "string" ? currency.trim().toUpperCase() : "";
    if (!CURRENCIES.has(code)) throw new ValidationError(`${field}.currency`, `${field}.currency must be an ISO-4217 code such as USD`);
    return new Money(amountMinor, code);
  }

  equals(other: Money | null): boolean {
    return other !== null && this.amountMinor === other.amountMinor && this.currency === other.currency;
  }

  toJSON(): { amountMinor: number; currency: string } {
    return { amountMinor: this.amountMinor, currency: this.currency };
  }
}
