import { leadStateFromRow } from "../../infrastructure/prisma/lead-row-mapper";
import type { TenantDb } from "../../infrastructure/prisma/tenant-db";
import { leadViewOf, type LeadView } from "../lead-view";

/** Leads by id, in the order asked, null where the tenant has no such lead. Batched by the API's loaders. */
export async function getLeads(db: TenantDb, tenantId: string, ids: readonly string[]): Promise<(LeadView | null)[]> {
  const rows = await db.lead.findMany({ where: { tenantId, id: { in: [...new Set(ids)] } } });
  const byId = new Map(rows.map((row) => [row.id, leadViewOf(leadStateFromRow(row))]));
  return ids.map((id) => byId.get(id) ?? null);
}
