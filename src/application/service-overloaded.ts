/**
 * The service could not take this work now (docs/domain.md, "Overload"): it
 * was refused before anything ran, so a retry after `retryAfterMs` is safe.
 * `extensions` is what graphql-js copies onto the error the client receives.
 */
export class ServiceOverloadedError extends Error {
  readonly extensions: { code: "SERVICE_OVERLOADED"; retryAfterMs: number };
  constructor(readonly retryAfterMs: number) {
    super("The service is overloaded; nothing was executed, retry later");
    this.name = "ServiceOverloadedError";
    this.extensions = { code: "SERVICE_OVERLOADED", retryAfterMs };
  }
}
