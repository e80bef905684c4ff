import {
  candidateCount,
  companyMailDomain,
  reasonsOf,
  SAME_EMAIL_DOMAIN_SIMILARITY,
  SAME_PHONE_SIMILARITY,
  SIMILAR_COMPANY_THRESHOLD,
  SIMILAR_NAME_THRESHOLD,
  SIMILARITY_DECIMALS,
  type DuplicateReason,
} from "../../domain/lead/duplicate-rules";
import { LeadNotFoundError } from "../../domain/shared/domain-error";
import { parseUuid } from "../../domain/shared/identifier";
import { Prisma } from "../../infrastructure/prisma/generated/client";
import { LEAD_VIEW_COLUMNS, leadFieldsFromRow, type LeadViewRow } from "../../infrastructure/prisma/lead-row-mapper";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import type { LeadView } from "../lead-view";

export interface DuplicateCandidateView {
  lead: LeadView;
  similarity: number;
  reasons: DuplicateReason[];
}

type CandidateRow = LeadViewRow & {
  similarName: boolean;
  similarCompany: boolean;
  samePhone: boolean;
  sameEmailDomain: boolean;
  similarity: number;
};

/**
 * Other leads of the tenant that may be the same person or company, most
 * similar first. Two statements: the lead itself, then its candidates.
 * crm_duplicate_candidate_ids preselects them on the indexes (trigram indexes
 * for name and company, the phone and mail domain indexes; `%` is pg_trgm's
 * similarity operator, threshold 0.3 by default); each reason is then decided
 * here with similarity() against the thresholds of docs/domain.md.
 */
export async function duplicateCandidates(
  db: ReadDb,
  tenantId: string,
  args: { leadId: string; first?: number | null },
): Promise<DuplicateCandidateView[]> {
  const leadId = parseUuid(args.leadId, "leadId");
  const limit = candidateCount(args.first);
  const [lead] = await db.rows<{ name: string; company: string | null; phone: string | null; email: string }>(
    Prisma.sql`SELECT name, company, phone, email FROM lead WHERE tenant_id = ${tenantId}::uuid AND id = ${leadId}::uuid`,
  );
  if (!lead) throw new LeadNotFoundError(leadId);

  const name = Prisma.sql`lower(${lead.name}::text)`;
  const company = lead.company === null ? null : Prisma.sql`lower(${lead.company}::text)`;
  const domain = companyMailDomain(lead.email);
  // The index lookups, for the transaction's tenant (see the function's migration: RLS keeps the runtime role's own % and LIKE off the indexes).
  const preselect = Prisma.sql`id = ANY(ARRAY(SELECT id FROM crm_duplicate_candidate_ids(${lead.name}::text, ${lead.company}::text, ${lead.phone}::text, ${domain}::text)))`;

  const similarName = Prisma.sql`similarity(lower(name), ${name}) >= ${SIMILAR_NAME_THRESHOLD}::real`;
  const similarCompany = company
    ? Prisma.sql`(company IS NOT NULL AND similarity(lower(company), ${company}) >= ${SIMILAR_COMPANY_THRESHOLD}::real)`
    : Prisma.sql`false`;
  const samePhone = lead.phone === null ? Prisma.sql`false` : Prisma.sql`(phone IS NOT NULL AND phone = ${lead.phone})`;
  const sameEmailDomain = domain === null ? Prisma.sql`false` : Prisma.sql`(split_part(email, '@', 2) = ${domain})`;
  const rows = await db.rows<CandidateRow>(Prisma.sql`
    SELECT * FROM (
      SELECT c.*, round(greatest(
          CASE WHEN c."similarName" THEN similarity(lower(c.name), ${name}) END,
          CASE WHEN c."similarCompany" THEN similarity(lower(c.company), ${company ?? Prisma.sql`NULL::text`}) END,
          CASE WHEN c."samePhone" THEN ${SAME_PHONE_SIMILARITY}::real END,
          CASE WHEN c."sameEmailDomain" THEN ${SAME_EMAIL_DOMAIN_SIMILARITY}::real END
        )::numeric, ${SIMILARITY_DECIMALS}::int)::float8 AS similarity
      FROM (
        SELECT ${Prisma.raw(LEAD_VIEW_COLUMNS)}, ${similarName} AS "similarName", ${similarCompany} AS "similarCompany",
          ${samePhone} AS "samePhone", ${sameEmailDomain} AS "sameEmailDomain"
        FROM lead
        WHERE tenant_id = ${tenantId}::uuid AND id <> ${leadId}::uuid AND ${preselect}
      ) c
      WHERE c."similarName" OR c."similarCompany" OR c."samePhone" OR c."sameEmailDomain"
    ) candidate
    ORDER BY similarity DESC, "createdAt" DESC, id DESC
    LIMIT ${limit}`);
  return rows.map((row) => ({
    lead: leadFieldsFromRow(row),
    similarity: row.similarity,
    reasons: reasonsOf({
      SIMILAR_NAME: row.similarName,
      SIMILAR_COMPANY: row.similarCompany,
      SAME_PHONE: row.samePhone,
      SAME_EMAIL_DOMAIN: row.sameEmailDomain,
    }),
  }));
}
