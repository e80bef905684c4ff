import type { LeadView } from "../lead-view";
import type { Keyset } from "./keyset";

export type LeadOrderField = "CREATED_AT" | "UPDATED_AT" | "SCORE";
export type SortDirection = "ASC" | "DESC";
export interface LeadOrder {
  field: LeadOrderField;
  direction: SortDirection;
}

export const DEFAULT_LEAD_ORDER: LeadOrder = { field: "CREATED_AT", direction: "DESC" };

/** Each field's column, and its name as a read selects it (LEAD_VIEW_COLUMNS). */
const COLUMNS = {
  CREATED_AT: { column: "created_at", selectedAs: '"createdAt"', kind: "timestamp", field: "createdAt", valueOf: (lead: LeadView) => lead.createdAt },
  UPDATED_AT: { column: "updated_at", selectedAs: '"updatedAt"', kind: "timestamp", field: "updatedAt", valueOf: (lead: LeadView) => lead.updatedAt },
  SCORE: { column: "score", selectedAs: "score", kind: "integer", field: "score", valueOf: (lead: LeadView) => lead.score },
} as const;

/** The lead field an ordering reads: a read must select it, whatever else it selects (cursors and ORDER BY need it). */
export function orderedField(order: LeadOrder): keyof LeadView {
  return COLUMNS[order.field].field;
}

/**
 * A lead ordering as a keyset: the field, ties broken by id in the same
 * direction (a total order), walked from the (tenant, field, id) index.
 * Leads and assignedLeads share it, so their cursors are the same kind.
 */
export function leadKeyset(order: LeadOrder): Keyset<LeadView> {
  const { column, selectedAs, kind, valueOf } = COLUMNS[order.field];
  return {
    name: `${order.field}:${order.direction}`,
    column,
    selectedAs,
    kind,
    descending: order.direction !== "ASC",
    valueOf,
    idOf: (lead) => lead.id,
  };
}
