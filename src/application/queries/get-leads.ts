import { Prisma } from "../../infrastructure/prisma/generated/client";
import { LEAD_COLUMNS, leadStateFromRow, type LeadRow } from "../../infrastructure/prisma/lead-row-mapper";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import { leadViewOf, type LeadView } from "../lead-view";

/** Leads by id, in the order asked, null where the tenant has no such lead. Batched by the API's loaders. */
export async function getLeads(db: ReadDb, tenantId: string, ids: readonly string[]): Promise<(LeadView | null)[]> {
  const rows = await db.rows<LeadRow>(Prisma.sql`
    SELECT ${Prisma.raw(LEAD_COLUMNS)} FROM lead WHERE tenant_id = ${tenantId}::uuid AND id = ANY(${[...new Set(ids)]}::uuid[])`);
  const byId = new Map(rows.map((row) => [row.id, leadViewOf(leadStateFromRow(row))]));
  return ids.map((id) => byId.get(id) ?? null);
}
