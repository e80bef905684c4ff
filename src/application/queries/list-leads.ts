import { LEAD_SOURCES, LEAD_STATUSES, type LeadSource, type LeadStatus } from "../../domain/lead/lead-status";
import { ValidationError } from "../../domain/shared/domain-error";
import { parseUuid } from "../../domain/shared/identifier";
import { supportedInstant } from "../../domain/shared/instant";
import { plainText } from "../../domain/shared/text";
import { Prisma } from "../../infrastructure/prisma/generated/client";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import type { ActivityView, LeadView } from "../lead-view";
import { leadsWithActivities, type ActivityPageArgs } from "./list-activities";
import { leadFieldsFromRow, leadViewColumns, type LeadFieldSet, type LeadViewRow } from "../../infrastructure/prisma/lead-row-mapper";
import { beyondCursor, behindCursor, fetchLimit, fetchOrder, keysetPage, pageWindow, splitProbe, withBehindProbe, type PageArgs } from "./keyset";
import { DEFAULT_LEAD_ORDER, leadKeyset, orderedField, type LeadOrder } from "./lead-ordering";
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
  /** The lead fields the reader needs (null or absent: all); the rest stay undefined in the page's views. */
  fields?: LeadFieldSet;
}

/** Escapes LIKE wildcards so a search for "50%" means the text "50%". */
export function literalPattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// Search on the trigram indexes.

/** Up to this many matches a search reads its leads by id; past it the term is common and a scan in page order is quicker. */
const SEARCH_BY_ID_LIMIT = 1000;

/** The search's ILIKE pattern, validated; null without a search. */
function searchPattern(filter: LeadFilter | null | undefined): string | null {
  const search = filter?.search == null ? undefined : plainText(filter.search, "search").trim();
  if (!search) return null;
  if (search.length > 200) throw new ValidationError("search", "search is limited to 200 characters");
  return `%${literalPattern(search)}%`;
}

/**
 * The search condition, found through the trigram indexes. Row-level
 * security keeps the runtime role's own ILIKE from using them (ILIKE is not
 * LEAKPROOF), so crm_search_lead_ids (migration 20261129000200) looks the
 * matches up for the transaction's tenant. A rare term comes back as a short
 * list of ids; a common one (more than SEARCH_BY_ID_LIMIT matches) is matched
 * row by row in page order instead, where a page fills at once.
 */
export async function searchCondition(db: ReadDb, filter: LeadFilter | null | undefined): Promise<Prisma.Sql | null> {
  const pattern = searchPattern(filter);
  if (pattern === null) return null;
  const found = await db.rows<{ id: string }>(Prisma.sql`SELECT id FROM crm_search_lead_ids(${pattern}, ${SEARCH_BY_ID_LIMIT + 1}::int)`);
  if (found.length > SEARCH_BY_ID_LIMIT) return searchPredicate(pattern);
  return Prisma.sql`id = ANY(${found.map((row) => row.id)}::uuid[])`;
}

function searchPredicate(pattern: string): Prisma.Sql {
  return Prisma.sql`(lower(name) ILIKE ${pattern} OR email ILIKE ${pattern} OR lower(company) ILIKE ${pattern})`;
}


/**
 * Validates a filter and turns it into the WHERE conditions of a lead query (tenant named explicitly).
 * `search`: the condition searchCondition found, if the caller looked it up (else matched row by row).
 */
export function leadWhere(tenantId: string, filter: LeadFilter | null | undefined, search?: Prisma.Sql | null): Prisma.Sql {
  const conditions = [Prisma.sql`tenant_id = ${tenantId}::uuid`];
  if (filter) {
    if (filter.status?.length) conditions.push(Prisma.sql`status = ANY(${filter.status.filter((s) => LEAD_STATUSES.includes(s))}::text[])`);
    if (filter.source?.length) conditions.push(Prisma.sql`source = ANY(${filter.source.filter((s) => LEAD_SOURCES.includes(s))}::text[])`);
    if (filter.ownerId != null) conditions.push(Prisma.sql`owner_id = ${parseUuid(filter.ownerId, "ownerId")}::uuid`);
    if (filter.campaignId != null) conditions.push(Prisma.sql`campaign_id = ${parseUuid(filter.campaignId, "campaignId")}::uuid`);
    if (filter.tag != null) conditions.push(Prisma.sql`tags @> ARRAY[${plainText(filter.tag, "tag").trim().toLowerCase()}::text]`);
    if (filter.minScore != null) conditions.push(Prisma.sql`score >= ${filter.minScore}::int`);
    for (const [field, date] of [["createdAfter", filter.createdAfter], ["createdBefore", filter.createdBefore]] as const) {
      if (date) supportedInstant(date, field);
    }
    if (filter.createdAfter) conditions.push(Prisma.sql`created_at >= ${filter.createdAfter}::timestamptz`);
    if (filter.createdBefore) conditions.push(Prisma.sql`created_at < ${filter.createdBefore}::timestamptz`);
    const pattern = searchPattern(filter);
    if (pattern !== null) conditions.push(search ?? searchPredicate(pattern));
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
  const order = args.orderBy ?? DEFAULT_LEAD_ORDER;
  const keyset = leadKeyset(order);
  const window = pageWindow(args, keyset);
  const where = leadWhere(tenantId, args.filter, await searchCondition(db, args.filter));
  const columns = leadViewColumns(args.fields ? new Set([...args.fields, orderedField(order)]) : null);
  const page = Prisma.sql`
    SELECT ${Prisma.raw(columns)} FROM lead
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
  const where = leadWhere(tenantId, filter, await searchCondition(db, filter));
  const [row] = await db.rows<{ count: number }>(Prisma.sql`SELECT count(*)::int AS count FROM lead WHERE ${where}`);
  return row.count;
}
