import { GraphQLError } from "graphql";
import type { AuthChecker } from "type-graphql";
import type { Actor } from "../application/actor";
import type { Principal, Role } from "../infrastructure/auth/principal";
import type { RequestContext } from "./context";

// Who may do what (docs/domain.md: "Who is calling").
export const READ: Role[] = ["viewer", "sales_rep", "admin"];
export const WRITE: Role[] = ["sales_rep", "admin"];
export const ERASE: Role[] = ["admin"];

export function unauthenticated(message = "A valid bearer token is required"): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED" } });
}

export function forbidden(message = "Your roles do not allow this operation"): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "FORBIDDEN" } });
}

/** Authentication first, then role: the first failing check decides the code. */
export function requireRole(context: RequestContext, allowed: readonly Role[]): Principal {
  const auth = context.auth;
  if (auth.kind !== "authenticated") throw unauthenticated(auth.kind === "rejected" ? auth.reason : undefined);
  if (!auth.principal.roles.some((role) => allowed.includes(role))) throw forbidden();
  return auth.principal;
}

/**
 * What a subscription's result may depend on about its caller: the tenant
 * (every read is scoped to it) and the roles (requireRole). No resolver reads
 * the user id (only mutations do, through actorOf), so subscribers of one
 * tenant with the same roles see the same result and share its execution
 * (subscription-shape.ts). A resolver that starts showing per-user data must
 * add what it reads here.
 */
export function visibilityOf(principal: Principal): { tenantId: string; roles: Role[] } {
  return { tenantId: principal.tenantId, roles: [...new Set(principal.roles)].sort() };
}

export function actorOf(principal: Principal): Actor {
  return { tenantId: principal.tenantId, userId: principal.userId, isAdmin: principal.roles.includes("admin") };
}

export const authChecker: AuthChecker<RequestContext, Role> = ({ context }, roles) => {
  requireRole(context, roles);
  return true;
};
