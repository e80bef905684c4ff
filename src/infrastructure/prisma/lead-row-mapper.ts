import type { CompanyProfile } from "../../domain/lead/company-profile";
import type { LeadState } from "../../domain/lead/lead";
import type { LeadSource, LeadStatus } from "../../domain/lead/lead-status";
import type { LeadView } from "../../application/lead-view";
import type { Lead as LeadRow } from "./generated/client";

export type { LeadRow };

/** What a read selects for each field of a lead's view, with the names Prisma's model uses. */
const VIEW_FIELD_COLUMNS: Record<keyof LeadView, string> = {
  id: "id",
  name: "name",
  email: "email",
  phone: "phone",
  company: "company",
  source: "source",
  status: "status",
  score: "score",
  estimatedValue: `estimated_value_minor AS "estimatedValueMinor", estimated_value_currency AS "estimatedValueCurrency"`,
  tags: "tags",
  lostReason: `lost_reason AS "lostReason"`,
  ownerId: `owner_id AS "ownerId"`,
  campaignId: `campaign_id AS "campaignId"`,
  enrichment: "enrichment",
  activityCount: `activity_count AS "activityCount"`,
  version: "version",
  createdAt: `created_at AS "createdAt"`,
  updatedAt: `updated_at AS "updatedAt"`,
  convertedAt: `converted_at AS "convertedAt"`,
};

/** The fields of a lead's view a reader needs; null for all of them. */
export type LeadFieldSet = ReadonlySet<keyof LeadView> | null;

/**
 * The columns of the given fields of a lead's view (id always), or of all of
 * them. A list selects only what its reader asked for (src/graphql/lead-projection.ts):
 * each column costs PostgreSQL its output and Node its parsing on every row.
 */
export function leadViewColumns(fields: LeadFieldSet): string {
  if (!fields) return LEAD_VIEW_COLUMNS;
  return (Object.keys(VIEW_FIELD_COLUMNS) as (keyof LeadView)[])
    .filter((field) => field === "id" || fields.has(field))
    .map((field) => VIEW_FIELD_COLUMNS[field])
    .join(", ");
}

/**
 * The lead columns (all but the tenant, which the caller knows) with the names
 * Prisma's model uses: what the repository and the query side select.
 */
export const LEAD_VIEW_COLUMNS = Object.values(VIEW_FIELD_COLUMNS).join(", ");
export const LEAD_COLUMNS = `tenant_id AS "tenantId", ${LEAD_VIEW_COLUMNS}`;

export type LeadViewRow = Omit<LeadRow, "tenantId">;

/**
 * A row's lead, without its tenant: the query side's read model is exactly
 * this. A row of some columns only (leadViewColumns) leaves the other fields
 * undefined: such a view goes only to the reader that asked for those.
 */
export function leadFieldsFromRow(row: LeadViewRow): Omit<LeadState, "tenantId"> {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    company: row.company,
    source: row.source as LeadSource,
    status: row.status as LeadStatus,
    score: row.score,
    estimatedValue:
      row.estimatedValueMinor == null || row.estimatedValueCurrency == null
        ? null
        : { amountMinor: row.estimatedValueMinor, currency: row.estimatedValueCurrency },
    tags: row.tags,
    lostReason: row.lostReason,
    ownerId: row.ownerId,
    campaignId: row.campaignId,
    enrichment: (row.enrichment as CompanyProfile | null) ?? null,
    activityCount: row.activityCount,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    convertedAt: row.convertedAt,
  };
}

export function leadStateFromRow(row: LeadRow): LeadState {
  return { tenantId: row.tenantId, ...leadFieldsFromRow(row) };
}

/** The columns a lead state writes (everything but the keys). */
export function leadColumnsFromState(state: Readonly<LeadState>) {
  return {
    name: state.name,
    email: state.email,
    phone: state.phone,
    company: state.company,
    source: state.source,
    status: state.status,
    score: state.score,
    estimatedValueMinor: state.estimatedValue?.amountMinor ?? null,
    estimatedValueCurrency: state.estimatedValue?.currency ?? null,
    tags: [...state.tags],
    lostReason: state.lostReason,
    ownerId: state.ownerId,
    campaignId: state.campaignId,
    enrichment: state.enrichment ? { ...state.enrichment } : undefined,
    activityCount: state.activityCount,
    version: state.version,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    convertedAt: state.convertedAt,
  };
}
