import { CLOCK_SKEW_SECONDS, type Authenticate } from "./token-verifier";
import type { AuthState } from "./principal";

export interface VerifiedTokenCacheOptions {
  maxEntries?: number;
  /** How long a verification is reused at most, whatever the token's own lifetime. */
  maxAgeMs?: number;
  /** Clock skew the verifier tolerates past `exp`: a cached answer never outlives what it would accept. */
  clockToleranceMs?: number;
  now?: () => number;
}

interface Entry {
  auth: AuthState;
  validUntil: number;
}

/**
 * Reuses the answer for a token verified a moment ago: clients send the same
 * bearer token with every request, and verifying it (signature, claims) was a
 * tenth of a small query's CPU. Only successes are kept, never past the
 * token's expiry nor longer than `maxAgeMs` (so a key removed from the JWKS
 * stops being honoured within that time). Least recently used entries go first.
 */
export function withVerifiedTokenCache(authenticate: Authenticate, options: VerifiedTokenCacheOptions = {}): Authenticate {
  const { maxEntries = 10_000, maxAgeMs = 60_000, clockToleranceMs = CLOCK_SKEW_SECONDS * 1000, now = Date.now } = options;
  const entries = new Map<string, Entry>();
  return async (authorization) => {
    if (!authorization) return authenticate(authorization);
    const cached = entries.get(authorization);
    if (cached && now() < cached.validUntil) {
      entries.delete(authorization); // re-inserted last: the most recently used
      entries.set(authorization, cached);
      return cached.auth;
    }
    entries.delete(authorization);
    const auth = await authenticate(authorization);
    if (auth.kind === "authenticated") {
      const expiry = auth.principal.expiresAt === null ? Infinity : auth.principal.expiresAt * 1000 + clockToleranceMs;
      entries.set(authorization, { auth, validUntil: Math.min(expiry, now() + maxAgeMs) });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    }
    return auth;
  };
}
