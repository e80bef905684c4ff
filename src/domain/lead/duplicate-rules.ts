import { ValidationError } from "../shared/domain-error";
import { isFreeMailDomain } from "./free-mail-domains";

/**
 * When two leads of a tenant may be the same person or company (docs/domain.md:
 * Duplicates). Trigram similarity is measured by the database (pg_trgm, on
 * lowercased text); the thresholds, the weights and the order of the reasons
 * are the business's and live here.
 */
export const DUPLICATE_REASONS = ["SIMILAR_NAME", "SIMILAR_COMPANY", "SAME_PHONE", "SAME_EMAIL_DOMAIN"] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

export const SIMILAR_NAME_THRESHOLD = 0.5;
export const SIMILAR_COMPANY_THRESHOLD = 0.6;
/** The similarity a reason without a measure of its own counts for. */
export const SAME_PHONE_SIMILARITY = 1.0;
export const SAME_EMAIL_DOMAIN_SIMILARITY = 0.5;
/** Decimals of the similarity a client sees (and candidates are ordered by). */
export const SIMILARITY_DECIMALS = 3;

export const DEFAULT_CANDIDATES = 10;
export const MAX_CANDIDATES = 50;

/** `first` of duplicateCandidates: 1..50, 10 when not given. */
export function candidateCount(first: number | null | undefined): number {
  if (first == null) return DEFAULT_CANDIDATES;
  if (!Number.isInteger(first) || first < 1 || first > MAX_CANDIDATES) {
    throw new ValidationError("first", `first must be between 1 and ${MAX_CANDIDATES}`);
  }
  return first;
}

/** The part of an address after its @ (Email allows exactly one) that says something about a company: null for a free-mail provider. */
export function companyMailDomain(email: string): string | null {
  const domain = email.slice(email.indexOf("@") + 1).toLowerCase();
  return domain === "" || isFreeMailDomain(domain) ? null : domain;
}

/** Which reasons hold, in the enum's order. */
export function reasonsOf(holds: Record<DuplicateReason, boolean>): DuplicateReason[] {
  return DUPLICATE_REASONS.filter((reason) => holds[reason]);
}
