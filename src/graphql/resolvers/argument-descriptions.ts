// Descriptions of the arguments many fields share, written once so the API reference
// (docs/api/, generated from schema.graphql) says the same thing wherever they appear.

/** Relay paging both ways (docs/domain.md: Paging both ways). */
export const PAGE_ARGUMENTS = {
  first: "Forward paging: how many items, 1 to 100; with neither first nor last, 20.",
  after: "Forward paging: a cursor this API returned for the same ordering; the page starts after it.",
  last: "Backward paging: how many items, 1 to 100; not with first or after.",
  before: "Backward paging: a cursor this API returned for the same ordering; the page ends before it.",
} as const;

export const EXPECTED_VERSION =
  "The lead's version you last read: if the lead is at another one, CONFLICT (extensions.actualVersion) and nothing changes. Omitted: concurrent changes apply one after the other.";
