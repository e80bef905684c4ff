import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { assignedLeadsPaging, type AssignedLeadsArgs } from "../../application/queries/assigned-leads";
import type { LeadStatus } from "../../domain/lead/lead-status";
import { READ, requireRole } from "../auth";
import { loadersOf, type RequestContext } from "../context";
import { LeadStatusEnum } from "../types/enums";
import { User } from "../types/federated-references";
import { edgesOf, LeadConnection } from "../types/lead";
import { PAGE_ARGUMENTS } from "./argument-descriptions";

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
  @FieldResolver(() => LeadConnection, { description: "The leads this user owns in the caller's tenant, newest first." })
  assignedLeads(
    @Root() user: User,
    @Ctx() context: RequestContext,
    @Arg("status", () => [LeadStatusEnum], { nullable: true, description: "Only leads in any of these statuses." }) status?: LeadStatus[] | null,
    @Arg("first", () => Int, { nullable: true, description: PAGE_ARGUMENTS.first }) first?: number | null,
    @Arg("after", () => String, { nullable: true, description: PAGE_ARGUMENTS.after }) after?: string | null,
    @Arg("last", () => Int, { nullable: true, description: PAGE_ARGUMENTS.last }) last?: number | null,
    @Arg("before", () => String, { nullable: true, description: PAGE_ARGUMENTS.before }) before?: string | null,
  ): Promise<LeadConnection> {
    return userFields.assignedLeads(user, { status, first, after, last, before }, context);
  }
}
