import type { CompanyProfile } from "../../domain/lead/company-profile";
import type { LeadSource, LeadStatus } from "../../domain/lead/lead-status";
import type { LeadView } from "../lead-view";

/** The lead columns a read needs (the tenant is known), named as the read model names them. */
export const LEAD_VIEW_COLUMNS = `id, name, email, phone, company, source, status, score,
  estimated_value_minor AS "estimatedValueMinor", estimated_value_currency AS "estimatedValueCurrency", tags,
  lost_reason AS "lostReason", owner_id AS "ownerId", campaign_id AS "campaignId", enrichment,
  activity_count AS "activityCount", version, created_at AS "createdAt", updated_at AS "updatedAt",
  converted_at AS "convertedAt"`;

export interface LeadViewRow {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  company: string | null;
  source: string;
  status: string;
  score: number;
  estimatedValueMinor: number | null;
  estimatedValueCurrency: string | null;
  tags: string[];
  lostReason: string | null;
  ownerId: string | null;
  campaignId: string | null;
  enrichment: unknown;
  activityCount: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  convertedAt: Date | null;
}

/** A row straight into the read model: one object per lead, no domain object on the way (CQRS). */
export function leadViewFromRow(row: LeadViewRow): LeadView {
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
