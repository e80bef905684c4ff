/** Who is asking: taken from the verified token only. */
export interface Actor {
  tenantId: string;
  userId: string;
}
