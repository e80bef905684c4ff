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

export function actorOf(principal: Principal): Actor {
  return { tenantId: principal.tenantId, userId: principal.userId, isAdmin: principal.roles.includes("admin") };
}

export const authChecker: AuthChecker<RequestContext, Role> = ({ context }, roles) => {
  requireRole(context, roles);
  return true;
};
