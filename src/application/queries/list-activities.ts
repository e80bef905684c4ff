import { Prisma } from "../../infrastructure/prisma/generated/client";
import type { LeadViewRow } from "../../infrastructure/prisma/lead-row-mapper";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import type { ActivityView } from "../lead-view";
import { beyondCursor, behindCursor, fetchLimit, fetchOrder, keysetPage, pageWindow, type Keyset, type PageArgs, type PageWindow } from "./keyset";
import { pagesPerParent } from "./pages-per-parent";
import type { Page } from "./page";

export type ActivityPageArgs = PageArgs;

/** A lead's activities, newest first (docs/domain.md: occurredAt DESC), ties by id. */
const ACTIVITY_KEYSET: Keyset<ActivityView> = {
  name: "OCCURRED_AT:DESC",
  column: "occurred_at",
  selectedAs: '"occurredAt"',
  kind: "timestamp",
  descending: true,
  valueOf: (activity) => activity.occurredAt,
  idOf: (activity) => activity.id,
};

/** Validates paging once, before any lead is looked at. */
export function activityPaging(args: ActivityPageArgs): PageWindow {
  return pageWindow(args, ACTIVITY_KEYSET);
}

const ACTIVITY_JSON = (a: string) => Prisma.raw(`json_build_object('id', ${a}.id, 'leadId', ${a}.lead_id, 'type', ${a}.type,
  'summary', ${a}.summary, 'occurredAt', ${a}.occurred_at, 'actorId', ${a}.actor_id, 'editedAt', ${a}.edited_at)`);

/** One lead's window of activities in fetch order, one row past the page; `leadId` names the lead in SQL. */
function activityWindowOf(tenantId: string, leadId: Prisma.Sql, window: PageWindow): Prisma.Sql {
  return Prisma.sql`SELECT * FROM activity a
    WHERE a.tenant_id = ${tenantId}::uuid AND a.lead_id = ${leadId} ${beyondCursor(ACTIVITY_KEYSET, window, "a")}
    ORDER BY ${fetchOrder(ACTIVITY_KEYSET, window, { alias: "a" })}
    LIMIT ${fetchLimit(window)}`;
}

/** Whether the lead has activities behind the cursor (false without one). */
function behindOf(tenantId: string, leadId: Prisma.Sql, window: PageWindow): Prisma.Sql {
  const behind = behindCursor(ACTIVITY_KEYSET, window, "b");
  return behind
    ? Prisma.sql`EXISTS (SELECT 1 FROM activity b WHERE b.tenant_id = ${tenantId}::uuid AND b.lead_id = ${leadId} AND ${behind})`
    : Prisma.sql`false`;
}

/** An activity as JSON gives it: JSON has no timestamps. */
type ActivityJson = Omit<ActivityView, "occurredAt" | "editedAt"> & { occurredAt: string; editedAt: string | null };

/**
 * The leads a statement selects (LEAD_VIEW_COLUMNS), each with its page of
 * activities, in one statement: a LATERAL join after the leads' own LIMIT
 * adds each lead's page as one JSON column. `orderBy` orders the result by
 * the selected columns' names. Rows with a null id (an empty page's probe
 * row, see keyset.ts) pass through without activities.
 */
export async function leadsWithActivities<R extends LeadViewRow>(
  db: ReadDb,
  tenantId: string,
  leads: Prisma.Sql,
  args: ActivityPageArgs,
  orderBy?: Prisma.Sql,
): Promise<{ rows: R[]; activities: Map<string, Page<ActivityView>> }> {
  const window = activityPaging(args);
  const rows = await db.rows<R & { activities: ActivityJson[]; activitiesBehind: boolean }>(Prisma.sql`
    SELECT l.*, joined.activities, joined.behind AS "activitiesBehind" FROM (${leads}) l
    LEFT JOIN LATERAL (
      SELECT coalesce(json_agg(${ACTIVITY_JSON("a")} ORDER BY ${fetchOrder(ACTIVITY_KEYSET, window, { alias: "a" })}), '[]'::json) AS activities,
        ${behindOf(tenantId, Prisma.sql`l.id`, window)} AS behind
      FROM (${activityWindowOf(tenantId, Prisma.sql`l.id`, window)}) a
    ) joined ON true
    ${orderBy ? Prisma.sql`ORDER BY ${orderBy}` : Prisma.empty}`);
  const activities = new Map<string, Page<ActivityView>>();
  for (const row of rows) {
    if (row.id === null) continue;
    const views = row.activities.map(activityFromJson);
    activities.set(row.id, keysetPage(ACTIVITY_KEYSET, window, views, row.activitiesBehind));
  }
  return { rows, activities };
}

function activityFromJson(item: ActivityJson): ActivityView {
  return { ...item, occurredAt: new Date(item.occurredAt), editedAt: item.editedAt === null ? null : new Date(item.editedAt) };
}

/**
 * One page of activities for each of many leads in one statement: a LATERAL
 * join walks the (tenant, lead, occurred_at, id) index once per lead and
 * stops after the page.
 */
export async function listActivitiesOfLeads(
  db: ReadDb,
  tenantId: string,
  leadIds: readonly string[],
  args: ActivityPageArgs,
): Promise<Map<string, Page<ActivityView>>> {
  const window = activityPaging(args);
  return pagesPerParent<ActivityView, ActivityView>(db, {
    parentIds: leadIds,
    window,
    keyset: ACTIVITY_KEYSET,
    columns: Prisma.raw(`page.id, page.lead_id AS "leadId", page.type, page.summary, page.occurred_at AS "occurredAt",
      page.actor_id AS "actorId", page.edited_at AS "editedAt"`),
    fromRow: (row) => ({ id: row.id, leadId: row.leadId, type: row.type, summary: row.summary, occurredAt: row.occurredAt, actorId: row.actorId, editedAt: row.editedAt }),
    pageOf: (leadId) => activityWindowOf(tenantId, leadId, window),
    behindOf: (leadId) => behindOf(tenantId, leadId, window),
  });
}
