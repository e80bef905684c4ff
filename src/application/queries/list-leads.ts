import { LEAD_SOURCES, LEAD_STATUSES, type LeadSource, type LeadStatus } from "../../domain/lead/lead-status";
import { ValidationError } from "../../domain/shared/domain-error";
import { parseUuid } from "../../domain/shared/identifier";
import { Prisma } from "../../infrastructure/prisma/generated/client";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import type { ActivityView, LeadView } from "../lead-view";
import { leadsWithActivities, type ActivityPageArgs } from "./list-activities";
import { LEAD_VIEW_COLUMNS, leadFieldsFromRow, type LeadViewRow } from "../../infrastructure/prisma/lead-row-mapper";
import { beyondCursor, behindCursor, fetchLimit, fetchOrder, keysetPage, pageWindow, splitProbe, withBehindProbe, type PageArgs } from "./keyset";
import { DEFAULT_LEAD_ORDER, leadKeyset, type LeadOrder } from "./lead-ordering";
import type { Page } from "./page";

export interface LeadFilter {
  status?: LeadStatus[] | null;
  source?: LeadSource[] | null;
  ownerId?: string | null;
  campaignId?: string | null;
  tag?: string | null;
  search?: string | null;
  minScore?: number | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

export interface ListLeadsArgs extends PageArgs {
  filter?: LeadFilter | null;
  orderBy?: LeadOrder | null;
}

/** Escapes LIKE wildcards so a search for "50%" means the text "50%". */
export function literalPattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Validates a filter and turns it into the WHERE conditions of a lead query (tenant named explicitly). */
export function leadWhere(tenantId: string, filter: LeadFilter | null | undefined): Prisma.Sql {
  const conditions = [Prisma.sql`tenant_id = ${tenantId}::uuid`];
  if (filter) {
    if (filter.status?.length) conditions.push(Prisma.sql`status = ANY(${filter.status.filter((s) => LEAD_STATUSES.includes(s))}::text[])`);
    if (filter.source?.length) conditions.push(Prisma.sql`source = ANY(${filter.source.filter((s) => LEAD_SOURCES.includes(s))}::text[])`);
    if (filter.ownerId != null) conditions.push(Prisma.sql`owner_id = ${parseUuid(filter.ownerId, "ownerId")}::uuid`);
    if (filter.campaignId != null) conditions.push(Prisma.sql`campaign_id = ${parseUuid(filter.campaignId, "campaignId")}::uuid`);
    if (filter.tag != null) conditions.push(Prisma.sql`tags @> ARRAY[${filter.tag.trim().toLowerCase()}::text]`);
    if (filter.minScore != null) conditions.push(Prisma.sql`score >= ${filter.minScore}::int`);
    for (const [field, date] of [["createdAfter", filter.createdAfter], ["createdBefore", filter.createdBefore]] as const) {
      if (date && Number.isNaN(date.getTime())) throw new ValidationError(field, `${field} is not a valid timestamp`);
    }
    if (filter.createdAfter) conditions.push(Prisma.sql`created_at >= ${filter.createdAfter}::timestamptz`);
    if (filter.createdBefore) conditions.push(Prisma.sql`created_at < ${filter.createdBefore}::timestamptz`);
    const search = filter.search?.trim();
    if (search) {
      if (search.length > 200) throw new ValidationError("search", "search is limited to 200 characters");
      const pattern = `%${literalPattern(search)}%`;
      // The columns as the trigram indexes spell them (lower(name), email, lower(company)), so
      // PostgreSQL ORs three index bitmaps instead of reading the tenant's every lead.
      conditions.push(Prisma.sql`(lower(name) ILIKE ${pattern} OR email ILIKE ${pattern} OR lower(company) ILIKE ${pattern})`);
    }
  }
  return Prisma.join(conditions, " AND ");
}

/** A page of leads; with the page of activities of each when they were asked for together. */
export interface LeadPage extends Page<LeadView> {
  activities: Map<string, Page<ActivityView>> | null;
}

/**
 * One page of leads in one statement, either way (keyset.ts). With
 * `activities`, each lead's page of activities comes in the same statement
 * (a LATERAL join after the LIMIT), so a list screen costs one round trip,
 * not one per level.
 */
export async function listLeads(db: ReadDb, tenantId: string, args: ListLeadsArgs, activities?: ActivityPageArgs | null): Promise<LeadPage> {
  const keyset = leadKeyset(args.orderBy ?? DEFAULT_LEAD_ORDER);
  const window = pageWindow(args, keyset);
  const where = leadWhere(tenantId, args.filter);
  const page = Prisma.sql`
    SELECT ${Prisma.raw(LEAD_VIEW_COLUMNS)} FROM lead
    WHERE ${where} ${beyondCursor(keyset, window)}
    ORDER BY ${fetchOrder(keyset, window)}
    LIMIT ${fetchLimit(window)}`;
  const behind = behindCursor(keyset, window);
  const selectedOrder = fetchOrder(keyset, window, { selected: true });
  const leads = withBehindProbe(page, behind && Prisma.sql`${where} AND ${behind}`, Prisma.sql`lead`, selectedOrder);
  const found = activities
    ? await leadsWithActivities(db, tenantId, leads, activities, selectedOrder)
    : { rows: await db.rows<LeadViewRow>(leads), activities: null };
  const { rows, behind: isBehind } = splitProbe(found.rows);
  return { ...keysetPage(keyset, window, rows.map(leadFieldsFromRow), isBehind), activities: found.activities };
}

/** Counted only when a client asks for totalCount: it is a statement of its own. */
export async function countLeads(db: ReadDb, tenantId: string, filter: LeadFilter | null | undefined): Promise<number> {
  const [row] = await db.rows<{ count: number }>(Prisma.sql`SELECT count(*)::int AS count FROM lead WHERE ${leadWhere(tenantId, filter)}`);
  return row.count;
}
