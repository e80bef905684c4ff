import { Prisma } from "../../infrastructure/prisma/generated/client";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import type { ActivityView, LeadView } from "../lead-view";
import { LEAD_VIEW_COLUMNS, leadFieldsFromRow, type LeadViewRow } from "../../infrastructure/prisma/lead-row-mapper";
import { leadsWithActivities, type ActivityPageArgs } from "./list-activities";
import type { Page } from "./page";

/** Leads by id, in the order asked, null where the tenant has no such lead. Batched by the API's loaders. */
export async function getLeads(db: ReadDb, tenantId: string, ids: readonly string[]): Promise<(LeadView | null)[]> {
  const rows = await db.rows<LeadViewRow>(byIds(tenantId, ids));
  const byId = new Map(rows.map((row) => [row.id, leadFieldsFromRow(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** One lead with its page of activities, in one statement (a lead's detail screen). */
export async function getLeadWithActivities(
  db: ReadDb,
  tenantId: string,
  id: string,
  activities: ActivityPageArgs,
): Promise<{ lead: LeadView; activities: Page<ActivityView> } | null> {
  const found = await leadsWithActivities(db, tenantId, byIds(tenantId, [id]), activities);
  const [row] = found.rows;
  return row ? { lead: leadFieldsFromRow(row), activities: found.activities.get(row.id) as Page<ActivityView> } : null;
}

function byIds(tenantId: string, ids: readonly string[]): Prisma.Sql {
  return Prisma.sql`SELECT ${Prisma.raw(LEAD_VIEW_COLUMNS)} FROM lead WHERE tenant_id = ${tenantId}::uuid AND id = ANY(${[...new Set(ids)]}::uuid[])`;
}
