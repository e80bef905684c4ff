import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { assignedLeadsPaging } from "../../application/queries/assigned-leads";
import type { LeadStatus } from "../../domain/lead/lead-status";
import { READ, requireRole } from "../auth";
import { loadersOf, type RequestContext } from "../context";
import { LeadStatusEnum } from "../types/enums";
import { User } from "../types/federated-references";
import { edgesOf, LeadConnection } from "../types/lead";

/** What this subgraph contributes to the identity subgraph's User. */
@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => LeadConnection)
  async assignedLeads(
    @Root() user: User,
    @Ctx() context: RequestContext,
    @Arg("status", () => [LeadStatusEnum], { nullable: true }) status?: LeadStatus[] | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<LeadConnection> {
    requireRole(context, READ);
    const args = { status: status ?? null, first, after };
    assignedLeadsPaging(args);
    const loaders = loadersOf(context);
    const page = await loaders.assignedLeads.load({ id: user.id, args });
    return { ...edgesOf(page), countTotal: () => loaders.assignedLeadCount.load({ id: user.id, args: args.status }) };
  }
}
