import type { CompanyProfile } from "../domain/lead/company-profile";
import type { LeadState } from "../domain/lead/lead";
import type { ActivityType, LeadSource, LeadStatus } from "../domain/lead/lead-status";

/**
 * The read model of a lead: what queries return and what mutations hand back
 * to the API. Plain data (CQRS: reads never go through the aggregate).
 */
export interface LeadView {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  company: string | null;
  source: LeadSource;
  status: LeadStatus;
  score: number;
  estimatedValue: { amountMinor: number; currency: string } | null;
  tags: string[];
  lostReason: string | null;
  enrichment: CompanyProfile | null;
  ownerId: string | null;
  campaignId: string | null;
  /** Kept on the lead row so an activities page needs no count query. */
  activityCount: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  convertedAt: Date | null;
}

export interface ActivityView {
  id: string;
  leadId: string;
  type: ActivityType;
  summary: string;
  occurredAt: Date;
  actorId: string | null;
}

export function leadViewOf(state: Readonly<LeadState>): LeadView {
  return {
    id: state.id,
    name: state.name,
    email: state.email,
    phone: state.phone,
    company: state.company,
    source: state.source,
    status: state.status,
    score: state.score,
    estimatedValue: state.estimatedValue ? { ...state.estimatedValue } : null,
    tags: [...state.tags],
    lostReason: state.lostReason,
    enrichment: state.enrichment ? { ...state.enrichment } : null,
    ownerId: state.ownerId,
    campaignId: state.campaignId,
    activityCount: state.activityCount,
    version: state.version,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    convertedAt: state.convertedAt,
  };
}
