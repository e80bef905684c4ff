import { SignJWT } from "jose";
import type { Role } from "./principal";

/** Signs an HS256 token for development and tests; production tokens come from the identity service. */
export function mintToken(args: {
  secret: string;
  tenantId: string;
  userId: string;
  roles: Role[];
  expiresIn?: string | number;
}): Promise<string> {
  return new SignJWT({ tenant_id: args.tenantId, roles: args.roles })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(args.userId)
    .setIssuedAt()
    .setExpirationTime(args.expiresIn ?? "12h")
    .sign(new TextEncoder().encode(args.secret));
}
