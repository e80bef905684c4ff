/** One page of a connection, before the API shapes it into edges. */
export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  cursorOf: (node: T) => string;
}

/** Pages are fetched one row long: the extra row only says there is more. */
export function pageOf<T>(rows: T[], size: number, cursorOf: (node: T) => string): Page<T> {
  return { nodes: rows.slice(0, size), hasNextPage: rows.length > size, cursorOf };
}
