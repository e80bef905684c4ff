import { ValidationError } from "../../domain/shared/domain-error";
import { Prisma } from "../../infrastructure/prisma/generated/client";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import type { PublishedLeadEvent } from "../live-events";
import { decodeCursor, encodeCursor, pageSize } from "./cursor";
import { publishedEventOf, type OutboxRecord } from "./outbox-event-row";
import { pageOf, type Page } from "./page";

export interface HistoryPageArgs {
  first?: number | null;
  after?: string | null;
}

/** A lead's event in its history: `seq` is its place in commit order (the outbox's). */
export type HistoryEvent = PublishedLeadEvent & { seq: number };

export interface LeadHistoryPage {
  page: Page<HistoryEvent>;
  totalCount: number;
}

const ORDERING = "HISTORY:DESC";
const historyCursor = (event: HistoryEvent) => encodeCursor({ ordering: ORDERING, value: event.seq, id: event.eventId });

/** Validates paging before any statement runs. */
export function historyPaging(args: HistoryPageArgs): { size: number; beforeSeq: number | null } {
  const size = pageSize(args.first);
  if (args.after == null) return { size, beforeSeq: null };
  const position = decodeCursor(args.after, ORDERING);
  if (typeof position.value !== "number") throw new ValidationError("after", "after: not a cursor of this API");
  return { size, beforeSeq: position.value };
}

/**
 * Lead.history: the lead's events since capture, newest first (reverse of
 * emission order), each with the snapshot it was published with. The
 * retained outbox is the history (see the 20261129000300 migration).
 */
export async function leadHistory(db: ReadDb, tenantId: string, leadId: string, args: HistoryPageArgs): Promise<LeadHistoryPage> {
  const { size, beforeSeq } = historyPaging(args);
  const [rows, [count]] = await Promise.all([
    db.rows<OutboxRecord>(Prisma.sql`
      SELECT o.* FROM outbox o
      WHERE o.tenant_id = ${tenantId}::uuid AND o.aggregate_id = ${leadId}::uuid
        ${beforeSeq === null ? Prisma.empty : Prisma.sql`AND o.seq < ${beforeSeq}::bigint`}
      ORDER BY o.seq DESC
      LIMIT ${size + 1}`),
    db.rows<{ n: number }>(Prisma.sql`
      SELECT count(*)::int AS n FROM outbox o WHERE o.tenant_id = ${tenantId}::uuid AND o.aggregate_id = ${leadId}::uuid`),
  ]);
  const events = rows.map((row) => ({ ...publishedEventOf(row), seq: Number(row.seq) }));
  return { page: pageOf(events, size, historyCursor), totalCount: count?.n ?? 0 };
}
