import { LEAD_SOURCES, LEAD_STATUSES, type LeadSource, type LeadStatus } from "../../domain/lead/lead-status";
import { ValidationError } from "../../domain/shared/domain-error";
import { parseUuid } from "../../domain/shared/identifier";
import type { Prisma } from "../../infrastructure/prisma/generated/client";
import { leadStateFromRow } from "../../infrastructure/prisma/lead-row-mapper";
import type { TenantDb } from "../../infrastructure/prisma/tenant-db";
import { leadViewOf, type LeadView } from "../lead-view";
import { pageSize } from "./cursor";
import { DEFAULT_LEAD_ORDER, afterCursor, leadCursor, leadOrderBy, type LeadOrder } from "./lead-ordering";
import { pageOf, type Page } from "./page";

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

export interface ListLeadsArgs {
  filter?: LeadFilter | null;
  orderBy?: LeadOrder | null;
  first?: number | null;
  after?: string | null;
}

/** Escapes LIKE wildcards so a search for "50%" means the text "50%". */
function literalPattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Validates a filter and turns it into the WHERE of a lead query (tenant named explicitly). */
export function leadWhere(tenantId: string, filter: LeadFilter | null | undefined): Prisma.LeadWhereInput {
  const where: Prisma.LeadWhereInput = { tenantId };
  if (!filter) return where;
  if (filter.status?.length) where.status = { in: filter.status.filter((s) => LEAD_STATUSES.includes(s)) };
  if (filter.source?.length) where.source = { in: filter.source.filter((s) => LEAD_SOURCES.includes(s)) };
  if (filter.ownerId != null) where.ownerId = parseUuid(filter.ownerId, "ownerId");
  if (filter.campaignId != null) where.campaignId = parseUuid(filter.campaignId, "campaignId");
  if (filter.tag != null) where.tags = { has: filter.tag.trim().toLowerCase() };
  if (filter.minScore != null) where.score = { gte: filter.minScore };
  if (filter.createdAfter || filter.createdBefore) {
    for (const [field, date] of [["createdAfter", filter.createdAfter], ["createdBefore", filter.createdBefore]] as const) {
      if (date && Number.isNaN(date.getTime())) throw new ValidationError(field, `${field} is not a valid timestamp`);
    }
    where.createdAt = { gte: filter.createdAfter ?? undefined, lt: filter.createdBefore ?? undefined };
  }
  const search = filter.search?.trim();
  if (search) {
    if (search.length > 200) throw new ValidationError("search", "search is limited to 200 characters");
    const contains = { contains: literalPattern(search), mode: "insensitive" as const };
    where.OR = [{ name: contains }, { email: contains }, { company: contains }];
  }
  return where;
}

export async function listLeads(db: TenantDb, tenantId: string, args: ListLeadsArgs): Promise<Page<LeadView>> {
  const size = pageSize(args.first);
  const order = args.orderBy ?? DEFAULT_LEAD_ORDER;
  const where = leadWhere(tenantId, args.filter);
  const pageWhere = args.after ? { AND: [where, afterCursor(order, args.after)] } : where;
  const rows = await db.lead.findMany({ where: pageWhere, orderBy: leadOrderBy(order), take: size + 1 });
  return pageOf(rows.map((row) => leadViewOf(leadStateFromRow(row))), size, leadCursor(order));
}

/** Counted only when a client asks for totalCount: it is a statement of its own. */
export function countLeads(db: TenantDb, tenantId: string, filter: LeadFilter | null | undefined): Promise<number> {
  return db.lead.count({ where: leadWhere(tenantId, filter) });
}
