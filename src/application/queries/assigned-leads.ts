import { LEAD_STATUSES, type LeadStatus } from "../../domain/lead/lead-status";
import { Prisma } from "../../infrastructure/prisma/generated/client";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import type { LeadView } from "../lead-view";
import { LEAD_VIEW_COLUMNS, leadFieldsFromRow, type LeadViewRow } from "../../infrastructure/prisma/lead-row-mapper";
import { decodeCursor, pageSize } from "./cursor";
import { DEFAULT_LEAD_ORDER, leadCursor } from "./lead-ordering";
import { pageOf, type Page } from "./page";

export interface AssignedLeadsArgs {
  status?: LeadStatus[] | null;
  first?: number | null;
  after?: string | null;
}

const ORDERING = `${DEFAULT_LEAD_ORDER.field}:${DEFAULT_LEAD_ORDER.direction}`;

function statusClause(status: LeadStatus[] | null | undefined): Prisma.Sql {
  const known = status?.filter((s) => LEAD_STATUSES.includes(s));
  return known?.length ? Prisma.sql`AND l.status = ANY(${known}::text[])` : Prisma.empty;
}

/** Validates paging once for a whole batch of owners. */
export function assignedLeadsPaging(args: AssignedLeadsArgs): { size: number; afterClause: Prisma.Sql } {
  const size = pageSize(args.first);
  if (args.after == null) return { size, afterClause: Prisma.empty };
  const position = decodeCursor(args.after, ORDERING);
  return {
    size,
    afterClause: Prisma.sql`AND (l.created_at, l.id) < (${new Date(position.value)}::timestamptz, ${position.id}::uuid)`,
  };
}

/**
 * The leads each of many owners holds (newest first), one page per owner, in
 * one statement: what the gateway's `_entities` batch of Users needs.
 */
export async function listAssignedLeads(
  db: ReadDb,
  tenantId: string,
  ownerIds: readonly string[],
  args: AssignedLeadsArgs,
): Promise<Map<string, Page<LeadView>>> {
  const { size, afterClause } = assignedLeadsPaging(args);
  const rows = await db.rows<LeadViewRow>(Prisma.sql`
    SELECT page.* FROM unnest(${[...new Set(ownerIds)]}::uuid[]) AS o(id)
    CROSS JOIN LATERAL (
      SELECT ${Prisma.raw(LEAD_VIEW_COLUMNS)} FROM lead l
      WHERE l.tenant_id = ${tenantId}::uuid AND l.owner_id = o.id ${statusClause(args.status)} ${afterClause}
      ORDER BY l.created_at DESC, l.id DESC
      LIMIT ${size + 1}
    ) page`);
  const byOwner = new Map<string, LeadView[]>(ownerIds.map((id) => [id, []]));
  for (const row of rows) byOwner.get(row.ownerId as string)?.push(leadFieldsFromRow(row));
  const cursorOf = leadCursor(DEFAULT_LEAD_ORDER);
  return new Map([...byOwner].map(([ownerId, leads]) => [ownerId, pageOf(leads, size, cursorOf)]));
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
    WHERE l.tenant_id = ${tenantId}::uuid AND l.owner_id = ANY(${[...new Set(ownerIds)]}::uuid[]) ${statusClause(status)}
    GROUP BY l.owner_id`);
  const counts = new Map(ownerIds.map((id) => [id, 0]));
  for (const row of rows) counts.set(row.ownerId, row.count);
  return counts;
}
