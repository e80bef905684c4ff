import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { assignedLeadsPaging, type AssignedLeadsArgs } from "../../application/queries/assigned-leads";
import type { LeadStatus } from "../../domain/lead/lead-status";
import { READ, requireRole } from "../auth";
import { loadersOf, type RequestContext } from "../context";
import { LeadStatusEnum } from "../types/enums";
import { User } from "../types/federated-references";
import { edgesOf, LeadConnection } from "../types/lead";

/** User.assignedLeads as a plain function: schema.ts installs it directly (see leadFields). */
export const userFields = {
  assignedLeads(user: User, args: AssignedLeadsArgs, context: RequestContext): Promise<LeadConnection> {
    requireRole(context, READ);
    const paging = { status: args.status ?? null, first: args.first, after: args.after, last: args.last, before: args.before };
    assignedLeadsPaging(paging);
    const loaders = loadersOf(context);
    return loaders.assignedLeads.load({ id: user.id, args: paging }).then((page) => ({
      ...edgesOf(page),
      countTotal: () => loaders.assignedLeadCount.load({ id: user.id, args: paging.status }),
    }));
  },
};

/** What this subgraph contributes to the identity subgraph's User. */
@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => LeadConnection)
  assignedLeads(
    @Root() user: User,
    @Ctx() context: RequestContext,
    @Arg("status", () => [LeadStatusEnum], { nullable: true }) status?: LeadStatus[] | null,
    @Arg("first", () => Int, { nullable: true }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Arg("last", () => Int, { nullable: true }) last?: number | null,
    @Arg("before", () => String, { nullable: true }) before?: string | null,
  ): Promise<LeadConnection> {
    return userFields.assignedLeads(user, { status, first, after, last, before }, context);
  }
}
