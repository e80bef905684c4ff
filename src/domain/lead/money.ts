import { ValidationError } from "../shared/domain-error";
import { quoted } from "../shared/text";

// Stored in a 32-bit integer column, and GraphQL's Int is 32 bits.
const MAX_AMOUNT_MINOR = 2 ** 31 - 1;
const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** An amount in minor units (cents) of an ISO-4217 currency. */
export class Money {
  private constructor(
    readonly amountMinor: number,
    readonly currency: string,
  ) {}

  static create(raw: { amountMinor: number; currency: string }, field = "estimatedValue"): Money {
    const { amountMinor, currency } = raw ?? ({} as Partial<typeof raw>);
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 0 || amountMinor > MAX_AMOUNT_MINOR) {
      throw new ValidationError(
        `${field}.amountMinor`,
        `${field}.amountMinor must be a whole number of minor units from 0 to ${MAX_AMOUNT_MINOR}, not ${typeof amountMinor === "number" ? amountMinor : quoted(amountMinor)}`,
      );
    }
    const code = typeof currency === "string" ? currency.toUpperCase() : "";
    if (!CURRENCIES.has(code)) {
      throw new ValidationError(`${field}.currency`, `${field}.currency: ${quoted(currency)} is not an ISO-4217 currency code such as USD`);
    }
    return new Money(amountMinor, code);
  }

  equals(other: Money | null): boolean {
    return other !== null && this.amountMinor === other.amountMinor && this.currency === other.currency;
  }

  toJSON(): { amountMinor: number; currency: string } {
    return { amountMinor: this.amountMinor, currency: this.currency };
  }
}
