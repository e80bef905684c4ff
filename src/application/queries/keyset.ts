import { ValidationError } from "../../domain/shared/domain-error";
import { Prisma } from "../../infrastructure/prisma/generated/client";
import { decodeCursor, encodeCursor, pageSize } from "./cursor";
import type { Page } from "./page";

/**
 * The one keyset paging of this API (leads, Lead.activities,
 * User.assignedLeads), forward and backward (docs/domain.md: paging both ways).
 *
 * An ordering is a sort column plus the id, both in one direction: a total
 * order. A page is fetched in the direction it walks (forward pages in the
 * ordering, backward pages against it) one row long, the extra row saying
 * whether more lie that way; backward pages are turned round before they are
 * shown, so both directions list items in the same order. Whether anything
 * lies on the other side of the cursor is asked in the same statement.
 */
export interface Keyset<T> {
  /** The ordering's name inside cursors: a cursor of another ordering is refused. */
  name: string;
  /** The sort column in the table, and as a query selects it (for ordering the selected rows). */
  column: string;
  selectedAs: string;
  kind: "timestamp" | "integer";
  descending: boolean;
  valueOf: (node: T) => Date | number;
  idOf: (node: T) => string;
}

/** The Relay paging arguments of every connection. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Paging arguments checked and decoded: what to fetch. */
export interface PageWindow {
  size: number;
  /** `last`/`before`: the items before the cursor (or the end). */
  backward: boolean;
  cursor: { value: Date | number; id: string } | null;
}

/**
 * The argument rules: neither `first` nor `last` = `first: 20`; `first` with
 * `last`, `after` with `last`, `before` with `first` -> BAD_USER_INPUT naming
 * the second. `before` alone pages backward by 20, and `after` with `before`
 * (neither size given) names `before`: a page walks one way.
 */
export function pageWindow<T>(args: PageArgs, keyset: Keyset<T>): PageWindow {
  const { first, after, last, before } = args;
  if (first != null && last != null) throw new ValidationError("last", "last cannot be combined with first: page one way at a time");
  if (after != null && last != null) throw new ValidationError("last", "last pages backward: combine it with before, not after");
  if (before != null && first != null) throw new ValidationError("first", "first pages forward: combine it with after, not before");
  if (after != null && before != null) throw new ValidationError("before", "before cannot be combined with after: page one way at a time");
  const backward = last != null || before != null;
  const size = backward ? pageSize(last, "last") : pageSize(first, "first");
  const field = backward ? "before" : "after";
  const cursor = backward ? before : after;
  return { size, backward, cursor: cursor == null ? null : decodePosition(cursor, keyset, field) };
}

function decodePosition<T>(cursor: string, keyset: Keyset<T>, field: string): { value: Date | number; id: string } {
  const position = decodeCursor(cursor, keyset.name, field);
  if ((keyset.kind === "integer") !== (typeof position.value === "number")) {
    throw new ValidationError(field, `${field}: not a cursor of this API`);
  }
  return { value: typeof position.value === "number" ? position.value : new Date(position.value), id: position.id };
}

export function cursorOf<T>(keyset: Keyset<T>): (node: T) => string {
  return (node) => {
    const value = keyset.valueOf(node);
    return encodeCursor({ ordering: keyset.name, value: value instanceof Date ? value.toISOString() : value, id: keyset.idOf(node) });
  };
}

const qualified = (alias: string | null, column: string) => Prisma.raw(alias ? `${alias}.${column}` : column);

/** Whether the page walks the table upwards (ASC) in its fetch order. */
const ascending = <T>(keyset: Keyset<T>, window: PageWindow) => keyset.descending === window.backward;

function positionOf<T>(keyset: Keyset<T>, window: PageWindow): Prisma.Sql {
  const { value, id } = window.cursor as { value: Date | number; id: string };
  const typed = keyset.kind === "integer" ? Prisma.sql`${value}::int` : Prisma.sql`${value}::timestamptz`;
  return Prisma.sql`(${typed}, ${id}::uuid)`;
}

/** `AND` the rows beyond the cursor in the page's walking direction (empty without a cursor). */
export function beyondCursor<T>(keyset: Keyset<T>, window: PageWindow, alias: string | null = null): Prisma.Sql {
  if (!window.cursor) return Prisma.empty;
  const key = Prisma.sql`(${qualified(alias, keyset.column)}, ${qualified(alias, "id")})`;
  return Prisma.sql`AND ${key} ${Prisma.raw(ascending(keyset, window) ? ">" : "<")} ${positionOf(keyset, window)}`;
}

/**
 * The rows on the other side of the cursor (the cursor's own row included):
 * whether any exists is hasPreviousPage of a forward page and hasNextPage of
 * a backward one. Null without a cursor: then nothing lies there.
 */
export function behindCursor<T>(keyset: Keyset<T>, window: PageWindow, alias: string | null = null): Prisma.Sql | null {
  if (!window.cursor) return null;
  const key = Prisma.sql`(${qualified(alias, keyset.column)}, ${qualified(alias, "id")})`;
  return Prisma.sql`${key} ${Prisma.raw(ascending(keyset, window) ? "<=" : ">=")} ${positionOf(keyset, window)}`;
}

/** ORDER BY in the page's fetch order; `selected` orders a query's output by the selected names. */
export function fetchOrder<T>(keyset: Keyset<T>, window: PageWindow, { alias = null as string | null, selected = false } = {}): Prisma.Sql {
  const direction = ascending(keyset, window) ? "ASC" : "DESC";
  const column = selected ? keyset.selectedAs : alias ? `${alias}.${keyset.column}` : keyset.column;
  const id = selected ? "id" : alias ? `${alias}.id` : "id";
  return Prisma.raw(`${column} ${direction}, ${id} ${direction}`);
}

/** LIMIT of a page: one row more than it shows. */
export const fetchLimit = (window: PageWindow) => window.size + 1;

/**
 * The page from the rows fetched (in fetch order, at most one too many) and
 * whether anything lies behind the cursor.
 */
export function keysetPage<T>(keyset: Keyset<T>, window: PageWindow, rows: T[], behind: boolean): Page<T> {
  const more = rows.length > window.size;
  const shown = rows.slice(0, window.size);
  if (window.backward) shown.reverse();
  return {
    nodes: shown,
    hasNextPage: window.backward ? behind : more,
    hasPreviousPage: window.backward ? more : behind,
    cursorOf: cursorOf(keyset),
  };
}

/**
 * The window's rows and, in the same statement, whether a row lies behind the
 * cursor: `page` selects the rows, `behind` (a WHERE condition over the same
 * rows) is probed with EXISTS. The probe's single row is left-joined to the
 * page so an empty page still answers; that row comes back with a null id
 * and is dropped by `splitProbe`.
 */
export function withBehindProbe(page: Prisma.Sql, behind: Prisma.Sql | null, from: Prisma.Sql, orderBy: Prisma.Sql): Prisma.Sql {
  if (!behind) return page;
  return Prisma.sql`SELECT page.*, probe.behind AS "behindCursor"
    FROM (SELECT EXISTS (SELECT 1 FROM ${from} WHERE ${behind}) AS behind) probe
    LEFT JOIN LATERAL (${page}) page ON true
    ORDER BY ${orderBy}`;
}

/** Rows of `withBehindProbe`: the page's rows, and the probe's answer. */
export function splitProbe<R extends { id: string | null }>(rows: (R & { behindCursor?: boolean })[]): { rows: R[]; behind: boolean } {
  return { rows: rows.filter((row) => row.id !== null), behind: rows[0]?.behindCursor === true };
}
