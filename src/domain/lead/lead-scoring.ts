import type { LeadSource, LeadStatus } from "./lead-status";

export interface ScoringFacts {
  source: LeadSource;
  hasPhone: boolean;
  hasCompany: boolean;
  activityCount: number;
  estimatedValueMinor: number | null;
  employeeCount: number | null;
  status: LeadStatus;
}

const SOURCE_POINTS: Record<LeadSource, number> = {
  REFERRAL: 30,
  EVENT: 25,
  WEBSITE_FORM: 20,
  PAID_AD: 15,
  SOCIAL: 10,
  COLD_OUTREACH: 5,
  IMPORT: 5,
  OTHER: 5,
};

/** The lead scoring rules of docs/domain.md: 0..100, CONVERTED always 100, LOST always 0. */
export function scoreLead(facts: ScoringFacts): number {
  if (facts.status === "CONVERTED") return 100;
  if (facts.status === "LOST") return 0;
  let score = SOURCE_POINTS[facts.source];
  if (facts.hasPhone) score += 10;
  if (facts.hasCompany) score += 10;
  score += Math.min(5 * facts.activityCount, 25);
  const value = facts.estimatedValueMinor ?? 0;
  if (value >= 1_000_000) score += 20;
  else if (value >= 100_000) score += 10;
  if ((facts.employeeCount ?? 0) >= 200) score += 10;
  if (facts.status === "QUALIFIED") score += 10;
  return Math.max(0, Math.min(100, score));
}
