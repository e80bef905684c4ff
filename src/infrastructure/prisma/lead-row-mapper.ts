import type { CompanyProfile } from "../../domain/lead/company-profile";
import type { LeadState } from "../../domain/lead/lead";
import type { LeadSource, LeadStatus } from "../../domain/lead/lead-status";
import type { Lead as LeadRow } from "./generated/client";

export type { LeadRow };

/**
 * The lead columns (all but the tenant, which the caller knows) with the names
 * Prisma's model uses: what the repository and the query side select.
 */
export const LEAD_VIEW_COLUMNS = `id, name, email, phone, company, source, status, score,
  estimated_value_minor AS "estimatedValueMinor", estimated_value_currency AS "estimatedValueCurrency", tags,
  lost_reason AS "lostReason", owner_id AS "ownerId", campaign_id AS "campaignId", enrichment,
  activity_count AS "activityCount", version, created_at AS "createdAt", updated_at AS "updatedAt",
  converted_at AS "convertedAt"`;
export const LEAD_COLUMNS = `tenant_id AS "tenantId", ${LEAD_VIEW_COLUMNS}`;

export type LeadViewRow = Omit<LeadRow, "tenantId">;

/** A row's lead, without its tenant: the query side's read model is exactly this. */
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
      row.estimatedValueMinor === null || row.estimatedValueCurrency === null
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
