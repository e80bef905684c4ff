import { Prisma } from "../../infrastructure/prisma/generated/client";
import { ValidationError } from "../../domain/shared/domain-error";
import type { LeadView } from "../lead-view";
import { decodeCursor, encodeCursor } from "./cursor";

export type LeadOrderField = "CREATED_AT" | "UPDATED_AT" | "SCORE";
export type SortDirection = "ASC" | "DESC";
export interface LeadOrder {
  field: LeadOrderField;
  direction: SortDirection;
}

export const DEFAULT_LEAD_ORDER: LeadOrder = { field: "CREATED_AT", direction: "DESC" };

const COLUMN = { CREATED_AT: "created_at", UPDATED_AT: "updated_at", SCORE: "score" } as const;

function orderingKey(order: LeadOrder): string {
  return `${order.field}:${order.direction}`;
}

function sortValueOf(lead: LeadView, field: LeadOrderField): string | number {
  if (field === "SCORE") return lead.score;
  return (field === "CREATED_AT" ? lead.createdAt : lead.updatedAt).toISOString();
}

export function leadCursor(order: LeadOrder): (lead: LeadView) => string {
  const ordering = orderingKey(order);
  return (lead) => encodeCursor({ ordering, value: sortValueOf(lead, order.field), id: lead.id });
}

/** The same columns by the names a read selects them as (LEAD_VIEW_COLUMNS). */
const SELECTED_AS = { CREATED_AT: '"createdAt"', UPDATED_AT: '"updatedAt"', SCORE: "score" } as const;

/**
 * ORDER BY the field, ties broken by id in the same direction: a total order.
 * `selected` orders a query's output (column aliases) instead of the table.
 */
export function leadOrderBy(order: LeadOrder, { selected = false } = {}): Prisma.Sql {
  const direction = order.direction === "ASC" ? "ASC" : "DESC";
  return Prisma.raw(`${(selected ? SELECTED_AS : COLUMN)[order.field]} ${direction}, id ${direction}`);
}

/**
 * The keyset condition "strictly after the cursor's row" in this ordering: a
 * row comparison, which walks the (tenant, field, id) index from the cursor.
 */
export function afterCursor(order: LeadOrder, cursor: string): Prisma.Sql {
  const position = decodeCursor(cursor, orderingKey(order));
  if ((order.field === "SCORE") !== (typeof position.value === "number")) {
    throw new ValidationError("after", "after: not a cursor of this API");
  }
  const value = order.field === "SCORE" ? Prisma.sql`${position.value}::int` : Prisma.sql`${new Date(position.value)}::timestamptz`;
  const beyond = Prisma.raw(order.direction === "ASC" ? ">" : "<");
  return Prisma.sql`(${Prisma.raw(COLUMN[order.field])}, id) ${beyond} (${value}, ${position.id}::uuid)`;
}
