import { Prisma } from "../../infrastructure/prisma/generated/client";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import type { PublishedLeadEvent } from "../live-events";
import { beyondCursor, fetchLimit, fetchOrder, keysetPage, pageWindow, type Keyset, type PageWindow } from "./keyset";
import { publishedEventOf, type OutboxRecord } from "./outbox-event-row";
import type { Page } from "./page";

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

/** Newest first: the reverse of commit order (seq is unique; id only completes the keyset). */
const HISTORY_KEYSET: Keyset<HistoryEvent> = {
  name: "HISTORY:DESC",
  column: "seq",
  selectedAs: "seq",
  kind: "integer",
  descending: true,
  valueOf: (event) => event.seq,
  idOf: (event) => event.eventId,
};

/** Validates paging before any statement runs. */
export function historyPaging(args: HistoryPageArgs): PageWindow {
  return pageWindow({ first: args.first, after: args.after }, HISTORY_KEYSET);
}

/**
 * Lead.history: the lead's events since capture, newest first (reverse of
 * emission order), each with the snapshot it was published with. The
 * retained outbox is the history (see the 20261129000300 migration).
 */
export async function leadHistory(db: ReadDb, tenantId: string, leadId: string, args: HistoryPageArgs): Promise<LeadHistoryPage> {
  const window = historyPaging(args);
  const [rows, [count]] = await Promise.all([
    db.rows<OutboxRecord>(Prisma.sql`
      SELECT o.* FROM outbox o
      WHERE o.tenant_id = ${tenantId}::uuid AND o.aggregate_id = ${leadId}::uuid ${beyondCursor(HISTORY_KEYSET, window, "o")}
      ORDER BY ${fetchOrder(HISTORY_KEYSET, window, { alias: "o" })}
      LIMIT ${fetchLimit(window)}`),
    db.rows<{ n: number }>(Prisma.sql`
      SELECT count(*)::int AS n FROM outbox o WHERE o.tenant_id = ${tenantId}::uuid AND o.aggregate_id = ${leadId}::uuid`),
  ]);
  const events = rows.map((row) => ({ ...publishedEventOf(row), seq: Number(row.seq) }));
  // Forward only (the contract has no last/before here): a cursor means newer events lie behind it.
  return { page: keysetPage(HISTORY_KEYSET, window, events, window.cursor !== null), totalCount: count?.n ?? 0 };
}
