import { LEAD_STATUSES, type LeadStatus } from "../../domain/lead/lead-status";
import { parseUuid } from "../../domain/shared/identifier";
import { Prisma } from "../../infrastructure/prisma/generated/client";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";

export interface MoneyTotal {
  /** A decimal string: sums of 32-bit amounts outgrow 32 bits. */
  amountMinor: string;
  currency: string;
}

export interface PipelineSummary {
  stages: { status: LeadStatus; count: number; estimatedValue: MoneyTotal[] }[];
  totalLeads: number;
  conversionRate: number;
}

interface StageRow {
  status: LeadStatus;
  currency: string | null;
  count: number;
  amountMinor: string | null;
}

/** Counts and value per stage, every stage listed even when empty. */
export async function pipelineSummary(db: ReadDb, tenantId: string, ownerId?: string | null): Promise<PipelineSummary> {
  const owner = ownerId == null ? Prisma.empty : Prisma.sql`AND owner_id = ${parseUuid(ownerId, "ownerId")}::uuid`;
  const rows = await db.rows<StageRow>(Prisma.sql`
    SELECT status, estimated_value_currency AS currency, count(*)::int AS count,
           sum(estimated_value_minor)::text AS "amountMinor"
    FROM lead WHERE tenant_id = ${tenantId}::uuid ${owner}
    GROUP BY status, estimated_value_currency
    ORDER BY status, estimated_value_currency`);
  const stages = LEAD_STATUSES.map((status) => {
    const ofStage = rows.filter((row) => row.status === status);
    return {
      status,
      count: ofStage.reduce((sum, row) => sum + row.count, 0),
      estimatedValue: ofStage
        .filter((row) => row.currency !== null && row.amountMinor !== null)
        .map((row) => ({ amountMinor: row.amountMinor as string, currency: (row.currency as string).trim() })),
    };
  });
  const countOf = (status: LeadStatus) => stages.find((stage) => stage.status === status)?.count ?? 0;
  const closed = countOf("CONVERTED") + countOf("LOST");
  return {
    stages,
    totalLeads: stages.reduce((sum, stage) => sum + stage.count, 0),
    conversionRate: closed === 0 ? 0 : countOf("CONVERTED") / closed,
  };
}
