import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, ID, Info, Int, Query, Resolver } from "type-graphql";
import { activityPaging, type ActivityPageArgs } from "../../application/queries/list-activities";
import { getLeadWithActivities } from "../../application/queries/get-leads";
import { listLeads } from "../../application/queries/list-leads";
import { cachedLeadCount } from "../../application/queries/cached-lead-count";
import { cachedPipelineSummary } from "../../application/queries/cached-pipeline-summary";
import { duplicateCandidates } from "../../application/queries/duplicate-candidates";
import { DuplicateCandidate } from "../types/bulk-and-merge";
import { parseUuid } from "../../domain/shared/identifier";
import { READ, requireRole } from "../auth";
import { cacheFillReadsOf, loadersOf, readsOf, type RequestContext } from "../context";
import { LeadFilter, LeadOrder } from "../types/inputs";
import { argumentsOfSelected } from "../look-ahead";
import { leadFieldsSelected } from "../lead-projection";
import { childSpan } from "../../infrastructure/tracing/spans";
import { edgesOf, Lead, LeadConnection } from "../types/lead";
import { PipelineSummary } from "../types/pipeline";
import { PAGE_ARGUMENTS } from "./argument-descriptions";

/** Activity paging worth fetching ahead; invalid paging is left for the field itself to refuse, where it belongs. */
function prefetchable(args: Record<string, unknown> | null): ActivityPageArgs | null {
  if (!args) return null;
  try {
    activityPaging(args as ActivityPageArgs);
    return args as ActivityPageArgs;
  } catch {
    return null;
  }
}

/** A fetch that took the selection's activities along (look-ahead) as a span of the request, when traced. */
function lookAheadSpan<T>(context: RequestContext, field: string, fetch: () => Promise<T>): Promise<T> {
  return childSpan(context.services.tracer, `look-ahead ${field} with activities`, { "crm.look_ahead.field": field }, fetch);
}

@Resolver()
export class LeadQueriesResolver {
  @Query(() => Lead, { nullable: true, description: "null when no such lead exists in the caller's tenant." })
  async lead(@Arg("id", () => ID, { description: "The lead's id." }) id: string, @Ctx() context: RequestContext, @Info() info: GraphQLResolveInfo) {
    const { tenantId } = requireRole(context, READ);
    const leadId = parseUuid(id, "id");
    const loaders = loadersOf(context);
    // A detail screen shows the lead's activities: fetch them in the same statement.
    const activities = prefetchable(argumentsOfSelected(info, ["activities"], "Lead"));
    if (!activities) return loaders.leadById.load(leadId);
    const found = await lookAheadSpan(context, "lead", () =>
      readsOf(context).inTenant(tenantId, (db) => getLeadWithActivities(db, tenantId, leadId, activities)),
    );
    if (found) loaders.prefetchedActivities.keep(activities, new Map([[leadId, found.activities]]));
    return found?.lead ?? null;
  }

  @Query(() => LeadConnection, { description: "first/after pages forward, last/before backward; neither given = first 20." })
  async leads(
    @Ctx() context: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg("filter", () => LeadFilter, { nullable: true, description: "Only the leads that match; all of them when omitted." }) filter?: LeadFilter | null,
    @Arg("orderBy", () => LeadOrder, { nullable: true, description: "The order; newest first (CREATED_AT DESC) when omitted." }) orderBy?: LeadOrder | null,
    @Arg("first", () => Int, { nullable: true, description: PAGE_ARGUMENTS.first }) first?: number | null,
    @Arg("after", () => String, { nullable: true, description: PAGE_ARGUMENTS.after }) after?: string | null,
    @Arg("last", () => Int, { nullable: true, description: PAGE_ARGUMENTS.last }) last?: number | null,
    @Arg("before", () => String, { nullable: true, description: PAGE_ARGUMENTS.before }) before?: string | null,
  ): Promise<LeadConnection> {
    const { tenantId } = requireRole(context, READ);
    const reads = readsOf(context);
    // A list screen usually shows each lead's latest activities: fetch them in the same statement.
    const activities = prefetchable(argumentsOfSelected(info, ["edges", "node", "activities"], "Lead"));
    // Only the columns the selection reads.
    const fields = leadFieldsSelected(info, ["edges", "node"]);
    const list = () => reads.inTenant(tenantId, (db) => listLeads(db, tenantId, { filter, orderBy, first, after, last, before, fields }, activities));
    const page = await (activities ? lookAheadSpan(context, "leads", list) : list());
    if (activities && page.activities) loadersOf(context).prefetchedActivities.keep(activities, page.activities);
    return { ...edgesOf(page), countTotal: () => cachedLeadCount(context.services.queryCache, cacheFillReadsOf(context), tenantId, filter) };
  }

  @Query(() => PipelineSummary, { description: "The caller's tenant's leads counted per status, with their estimated value per currency." })
  async pipelineSummary(
    @Ctx() context: RequestContext,
    @Arg("ownerId", () => ID, { nullable: true, description: "Count only this user's leads; all the tenant's when omitted." }) ownerId?: string | null,
  ) {
    // The tenant from the token, never from an argument: it names the cache keys too.
    const { tenantId } = requireRole(context, READ);
    return cachedPipelineSummary(context.services.queryCache, cacheFillReadsOf(context), tenantId, ownerId);
  }

  // Duplicate candidates.

  @Query(() => [DuplicateCandidate], { description: "Leads of the caller's tenant that may be the same person or company as this one, most similar first." })
  duplicateCandidates(
    @Arg("leadId", () => ID, { description: "The lead to find duplicates of; NOT_FOUND if the tenant has none with this id." }) leadId: string,
    @Ctx() context: RequestContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: 10, description: "How many candidates at most, 1 to 50." }) first?: number | null,
  ) {
    const { tenantId } = requireRole(context, READ);
    return readsOf(context).inTenant(tenantId, (db) => duplicateCandidates(db, tenantId, { leadId, first }));
  }
}
