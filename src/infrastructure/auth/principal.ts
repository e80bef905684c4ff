export const ROLES = ["admin", "sales_rep", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** The caller as the verified token describes it. */
export interface Principal {
  userId: string;
  tenantId: string;
  /** Only the known roles of the token; empty means FORBIDDEN for everything. */
  roles: Role[];
  /** Seconds since the epoch: live subscriptions end when the token does. */
  expiresAt: number | null;
}

export type AuthState =
  | { kind: "anonymous" }
  | { kind: "rejected"; reason: string }
  | { kind: "authenticated"; principal: Principal };
