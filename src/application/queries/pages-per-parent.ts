import { Prisma } from "../../infrastructure/prisma/generated/client";
import type { ReadDb } from "../../infrastructure/read-store/tenant-reads";
import { fetchOrder, keysetPage, type Keyset, type PageWindow } from "./keyset";
import type { Page } from "./page";

export interface PagesPerParentQuery<T, R> {
  parentIds: readonly string[];
  window: PageWindow;
  keyset: Keyset<T>;
  /** What to select of each row of a page (`page.` names the page's rows), and how such a row becomes a T. */
  columns: Prisma.Sql;
  fromRow: (row: R) => T;
  /** The window of one parent (named by the SQL given), in fetch order: keyset.ts's conditions, order and limit. */
  pageOf: (parentId: Prisma.Sql) => Prisma.Sql;
  /** Whether a row of that parent lies behind the cursor (`false` without one). */
  behindOf: (parentId: Prisma.Sql) => Prisma.Sql;
}

/**
 * The same window of a connection for each of many parents (the activities
 * of a batch of leads, the leads of a batch of owners) in one statement: per
 * parent, one probe behind the cursor and a LATERAL walk of its index that
 * stops after the page. A parent with an empty page still answers with one
 * row (null id) carrying its probe.
 */
export async function pagesPerParent<T, R>(db: ReadDb, query: PagesPerParentQuery<T, R>): Promise<Map<string, Page<T>>> {
  const { parentIds, window, keyset } = query;
  const parent = Prisma.sql`o.id`;
  const rows = await db.rows<R & { parentId: string; id: string | null; behindCursor: boolean }>(Prisma.sql`
    SELECT o.id AS "parentId", ${query.columns}, probe.behind AS "behindCursor"
    FROM unnest(${[...new Set(parentIds)]}::uuid[]) WITH ORDINALITY AS o(id, position)
    CROSS JOIN LATERAL (SELECT ${query.behindOf(parent)} AS behind) probe
    LEFT JOIN LATERAL (${query.pageOf(parent)}) page ON true
    ORDER BY o.position, ${fetchOrder(keyset, window, { selected: true })}`);
  const byParent = new Map<string, { nodes: T[]; behind: boolean }>(parentIds.map((id) => [id, { nodes: [], behind: false }]));
  for (const row of rows) {
    const group = byParent.get(row.parentId);
    if (!group) continue;
    group.behind = row.behindCursor;
    if (row.id !== null) group.nodes.push(query.fromRow(row));
  }
  return new Map([...byParent].map(([parentId, { nodes, behind }]) => [parentId, keysetPage(keyset, window, nodes, behind)]));
}
