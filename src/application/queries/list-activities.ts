import { ValidationError } from "../../domain/shared/domain-error";
import { Prisma } from "../../infrastructure/prisma/generated/client";
import type { LeadViewRow } from "../../infrastructure/prisma/lead-row-mapper";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import type { ActivityView } from "../lead-view";
import { decodeCursor, encodeCursor, pageSize } from "./cursor";
import { pageOf, type Page } from "./page";

export interface ActivityPageArgs {
  first?: number | null;
  after?: string | null;
}

const ORDERING = "OCCURRED_AT:DESC";
const activityCursor = (activity: ActivityView) =>
  encodeCursor({ ordering: ORDERING, value: activity.occurredAt.toISOString(), id: activity.id });

/** Validates paging once, before any lead is looked at. */
export function activityPaging(args: ActivityPageArgs): { size: number; after: { occurredAt: Date; id: string } | null } {
  const size = pageSize(args.first);
  if (args.after == null) return { size, after: null };
  const position = decodeCursor(args.after, ORDERING);
  if (typeof position.value !== "string") throw new ValidationError("after", "after: not a cursor of this API");
  return { size, after: { occurredAt: new Date(position.value), id: position.id } };
}

function afterClause(after: { occurredAt: Date; id: string } | null): Prisma.Sql {
  return after ? Prisma.sql`AND (a.occurred_at, a.id) < (${after.occurredAt}::timestamptz, ${after.id}::uuid)` : Prisma.empty;
}

/** One lead's page of activities, newest first, one row past the page; `leadId` names the lead in SQL. */
function activityPageOf(tenantId: string, leadId: Prisma.Sql, size: number, after: { occurredAt: Date; id: string } | null): Prisma.Sql {
  return Prisma.sql`SELECT * FROM activity a
    WHERE a.tenant_id = ${tenantId}::uuid AND a.lead_id = ${leadId} ${afterClause(after)}
    ORDER BY a.occurred_at DESC, a.id DESC
    LIMIT ${size + 1}`;
}

/** An activity as JSON gives it: JSON has no timestamps. */
type ActivityJson = Omit<ActivityView, "occurredAt"> & { occurredAt: string };

/**
 * The leads a statement selects (LEAD_VIEW_COLUMNS), each with its page of
 * activities, in one statement: a LATERAL join after the leads' own LIMIT
 * adds each lead's page as one JSON column. `orderBy` orders the result by
 * the selected columns' names.
 */
export async function leadsWithActivities(
  db: ReadDb,
  tenantId: string,
  leads: Prisma.Sql,
  args: ActivityPageArgs,
  orderBy?: Prisma.Sql,
): Promise<{ rows: LeadViewRow[]; activities: Map<string, Page<ActivityView>> }> {
  const { size, after } = activityPaging(args);
  const rows = await db.rows<LeadViewRow & { activities: ActivityJson[] }>(Prisma.sql`
    SELECT l.*, joined.activities FROM (${leads}) l
    LEFT JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object('id', a.id, 'leadId', a.lead_id, 'type', a.type, 'summary', a.summary,
               'occurredAt', a.occurred_at, 'actorId', a.actor_id) ORDER BY a.occurred_at DESC, a.id DESC), '[]'::json) AS activities
      FROM (${activityPageOf(tenantId, Prisma.sql`l.id`, size, after)}) a
    ) joined ON true
    ${orderBy ? Prisma.sql`ORDER BY ${orderBy}` : Prisma.empty}`);
  const activities = new Map<string, Page<ActivityView>>();
  for (const row of rows) {
    // Parsed just now and not shared: turned into views in place.
    for (const item of row.activities) (item as unknown as ActivityView).occurredAt = new Date(item.occurredAt);
    activities.set(row.id, pageOf(row.activities as unknown as ActivityView[], size, activityCursor));
  }
  return { rows, activities };
}

/**
 * One page of activities (newest first) for each of many leads in one
 * statement: a LATERAL join walks the (tenant, lead, occurred_at, id) index
 * once per lead and stops after the page.
 */
export async function listActivitiesOfLeads(
  db: ReadDb,
  tenantId: string,
  leadIds: readonly string[],
  args: ActivityPageArgs,
): Promise<Map<string, Page<ActivityView>>> {
  const { size, after } = activityPaging(args);
  const rows = await db.rows<ActivityView>(Prisma.sql`
    SELECT a.id, a.lead_id AS "leadId", a.type, a.summary, a.occurred_at AS "occurredAt", a.actor_id AS "actorId"
    FROM unnest(${[...new Set(leadIds)]}::uuid[]) AS l(id)
    CROSS JOIN LATERAL (${activityPageOf(tenantId, Prisma.sql`l.id`, size, after)}) a`);
  const byLead = new Map<string, ActivityView[]>(leadIds.map((id) => [id, []]));
  for (const row of rows) {
    byLead.get(row.leadId)?.push(row);
  }
  return new Map([...byLead].map(([leadId, activities]) => [leadId, pageOf(activities, size, activityCursor)]));
}
