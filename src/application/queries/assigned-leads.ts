import { LEAD_STATUSES, type LeadStatus } from "../../domain/lead/lead-status";
import { Prisma } from "../../infrastructure/prisma/generated/client";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import type { LeadView } from "../lead-view";
import { LEAD_VIEW_COLUMNS, leadFieldsFromRow, type LeadViewRow } from "../../infrastructure/prisma/lead-row-mapper";
import { beyondCursor, behindCursor, fetchLimit, fetchOrder, pageWindow, type PageArgs, type PageWindow } from "./keyset";
import { DEFAULT_LEAD_ORDER, leadKeyset } from "./lead-ordering";
import { pagesPerParent } from "./pages-per-parent";
import type { Page } from "./page";

export interface AssignedLeadsArgs extends PageArgs {
  status?: LeadStatus[] | null;
}

/** An owner's leads, newest first: the default lead ordering, so its cursors are those of `leads`. */
const KEYSET = leadKeyset(DEFAULT_LEAD_ORDER);

function statusClause(status: LeadStatus[] | null | undefined, alias: string): Prisma.Sql {
  const known = status?.filter((s) => LEAD_STATUSES.includes(s));
  return known?.length ? Prisma.sql`AND ${Prisma.raw(alias)}.status = ANY(${known}::text[])` : Prisma.empty;
}

/** Validates paging once for a whole batch of owners. */
export function assignedLeadsPaging(args: AssignedLeadsArgs): PageWindow {
  return pageWindow(args, KEYSET);
}

/**
 * The leads each of many owners holds, one page per owner, in one statement:
 * what the gateway's `_entities` batch of Users needs.
 */
export async function listAssignedLeads(
  db: ReadDb,
  tenantId: string,
  ownerIds: readonly string[],
  args: AssignedLeadsArgs,
): Promise<Map<string, Page<LeadView>>> {
  const window = assignedLeadsPaging(args);
  return pagesPerParent<LeadView, LeadViewRow>(db, {
    parentIds: ownerIds,
    window,
    keyset: KEYSET,
    columns: Prisma.sql`page.*`,
    fromRow: leadFieldsFromRow,
    pageOf: (ownerId) => Prisma.sql`
      SELECT ${Prisma.raw(LEAD_VIEW_COLUMNS)} FROM lead l
      WHERE l.tenant_id = ${tenantId}::uuid AND l.owner_id = ${ownerId} ${statusClause(args.status, "l")} ${beyondCursor(KEYSET, window, "l")}
      ORDER BY ${fetchOrder(KEYSET, window, { alias: "l" })}
      LIMIT ${fetchLimit(window)}`,
    behindOf: (ownerId) => {
      const behind = behindCursor(KEYSET, window, "b");
      return behind
        ? Prisma.sql`EXISTS (SELECT 1 FROM lead b WHERE b.tenant_id = ${tenantId}::uuid AND b.owner_id = ${ownerId} ${statusClause(args.status, "b")} AND ${behind})`
        : Prisma.sql`false`;
    },
  });
}

/** totalCount of assignedLeads for many owners in one statement. */
export async function countAssignedLeads(
  db: ReadDb,
  tenantId: string,
  ownerIds: readonly string[],
  status: LeadStatus[] | null | undefined,
): Promise<Map<string, number>> {
  const rows = await db.rows<{ ownerId: string; count: number }>(Prisma.sql`
    SELECT l.owner_id AS "ownerId", count(*)::int AS count FROM lead l
    WHERE l.tenant_id = ${tenantId}::uuid AND l.owner_id = ANY(${[...new Set(ownerIds)]}::uuid[]) ${statusClause(status, "l")}
    GROUP BY l.owner_id`);
  const counts = new Map(ownerIds.map((id) => [id, 0]));
  for (const row of rows) counts.set(row.ownerId, row.count);
  return counts;
}
