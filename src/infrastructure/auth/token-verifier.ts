import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import { ROLES, type AuthState, type Role } from "./principal";
import { isUuid } from "../../domain/shared/identifier";

export interface TokenVerifierOptions {
  /** HS256 shared secret (JWT_SECRET). */
  secret?: string;
  /** RS256/ES256 key set (JWT_JWKS_URL); wins over the secret when both are set. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export type Authenticate = (authorization: string | undefined | null) => Promise<AuthState>;

export const CLOCK_SKEW_SECONDS = 30;

/**
 * Verifies `Authorization: Bearer <JWT>` as docs/domain.md says. Only the algorithms
 * of the configured key are accepted, so `alg: none` and HS/RS confusion fail
 * verification. The tenant comes from the token and nowhere else.
 */
export function createTokenVerifier(options: TokenVerifierOptions): Authenticate {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.jwksUrl) {
    key = createRemoteJWKSet(new URL(options.jwksUrl));
    algorithms = ["RS256", "ES256"];
  } else if (options.secret) {
    key = new TextEncoder().encode(options.secret);
    algorithms = ["HS256"];
  } else {
    throw new Error("a token verifier needs JWT_SECRET or JWT_JWKS_URL");
  }
  const rejected = (reason: string): AuthState => ({ kind: "rejected", reason });

  return async (authorization) => {
    if (!authorization) return { kind: "anonymous" };
    const token = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(authorization.trim())?.[1];
    if (!token) return rejected('Authorization must be "Bearer <token>"');
    let claims: Record<string, unknown>;
    try {
      const verified = await jwtVerify(token, key as Uint8Array, {
        algorithms,
        clockTolerance: CLOCK_SKEW_SECONDS,
        issuer: options.issuer,
        audience: options.audience,
      });
      claims = verified.payload;
    } catch {
      return rejected("The token is invalid, expired or not yet valid");
    }
    const { sub, tenant_id: tenantId, roles, exp } = claims;
    if (!isUuid(sub)) return rejected("The token's sub must be a user id (UUID)");
    if (!isUuid(tenantId)) return rejected("The token's tenant_id must be a UUID");
    const knownRoles = Array.isArray(roles) ? ROLES.filter((role: Role) => roles.includes(role)) : [];
    return {
      kind: "authenticated",
      principal: {
        userId: sub.toLowerCase(),
        tenantId: tenantId.toLowerCase(),
        roles: knownRoles,
        expiresAt: typeof exp === "number" ? exp : null,
      },
    };
  };
}
