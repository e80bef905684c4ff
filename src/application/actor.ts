/** Who is asking: taken from the verified token only; null for the service itself (enrichment). */
export interface Actor {
  tenantId: string;
  userId: string | null;
  /** An admin may correct anyone's activities; absent = not an admin. */
  isAdmin?: boolean;
}
