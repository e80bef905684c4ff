/** One page of a connection, before the API shapes it into edges (built by keyset.ts). */
export interface Page<T> {
  /** In the ordering's order, whichever way the page was walked. */
  nodes: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  cursorOf: (node: T) => string;
}
