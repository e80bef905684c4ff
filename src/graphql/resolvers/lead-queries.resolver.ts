import { Arg, Ctx, ID, Int, Query, Resolver } from "type-graphql";
import { countLeads, listLeads } from "../../application/queries/list-leads";
import { pipelineSummary } from "../../application/queries/pipeline-summary";
import { parseUuid } from "../../domain/shared/identifier";
import { READ, requireRole } from "../auth";
import { loadersOf, readsOf, type RequestContext } from "../context";
import { LeadFilter, LeadOrder } from "../types/inputs";
import { edgesOf, Lead, LeadConnection } from "../types/lead";
import { PipelineSummary } from "../types/pipeline";

@Resolver()
export class LeadQueriesResolver {
  @Query(() => Lead, { nullable: true, description: "null when no such lead exists in the caller's tenant." })
  async lead(@Arg("id", () => ID) id: string, @Ctx() context: RequestContext) {
    requireRole(context, READ);
    return loadersOf(context).leadById.load(parseUuid(id, "id"));
  }

  @Query(() => LeadConnection)
  async leads(
    @Ctx() context: RequestContext,
    @Arg("filter", () => LeadFilter, { nullable: true }) filter?: LeadFilter | null,
    @Arg("orderBy", () => LeadOrder, { nullable: true }) orderBy?: LeadOrder | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<LeadConnection> {
    const { tenantId } = requireRole(context, READ);
    const reads = readsOf(context);
    const page = await reads.inTenant(tenantId, (db) => listLeads(db, tenantId, { filter, orderBy, first, after }));
    return { ...edgesOf(page), countTotal: () => reads.inTenant(tenantId, (db) => countLeads(db, tenantId, filter)) };
  }

  @Query(() => PipelineSummary)
  async pipelineSummary(
    @Ctx() context: RequestContext,
    @Arg("ownerId", () => ID, { nullable: true }) ownerId?: string | null,
  ) {
    const { tenantId } = requireRole(context, READ);
    return readsOf(context).inTenant(tenantId, (db) => pipelineSummary(db, tenantId, ownerId));
  }
}
