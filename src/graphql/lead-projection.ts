import type { GraphQLResolveInfo } from "graphql";
import type { LeadView } from "../application/lead-view";
import { selectedFieldNames } from "./look-ahead";

/**
 * The fields of a lead's view each field of the GraphQL type Lead reads (its
 * resolver in lead-fields.resolver.ts, or the default one). A field missing
 * here makes a reader take every column: safe, only slower
 * (tests/graphql/lead-projection.test.ts keeps the table complete).
 */
export const LEAD_FIELD_READS: Record<string, readonly (keyof LeadView)[]> = {
  __typename: [],
  id: ["id"],
  name: ["name"],
  email: ["email"],
  phone: ["phone"],
  company: ["company"],
  source: ["source"],
  status: ["status"],
  score: ["score"],
  estimatedValue: ["estimatedValue"],
  tags: ["tags"],
  lostReason: ["lostReason"],
  enrichment: ["enrichment"],
  version: ["version"],
  createdAt: ["createdAt"],
  updatedAt: ["updatedAt"],
  convertedAt: ["convertedAt"],
  owner: ["ownerId"],
  campaign: ["campaignId"],
  // Its totalCount is the lead's activity count; its page is read by the lead's id.
  activities: ["id", "activityCount"],
  history: ["id"],
};

/**
 * The lead fields a selection reads at `path` (["edges", "node"] below a
 * connection), so a list selects those columns only, as PostGraphile does;
 * null (every column) if it selects a field this table does not know.
 */
export function leadFieldsSelected(info: GraphQLResolveInfo, path: readonly string[]): Set<keyof LeadView> | null {
  const fields = new Set<keyof LeadView>();
  for (const name of selectedFieldNames(info, path)) {
    const reads = LEAD_FIELD_READS[name];
    if (!reads) return null;
    for (const field of reads) fields.add(field);
  }
  return fields;
}
