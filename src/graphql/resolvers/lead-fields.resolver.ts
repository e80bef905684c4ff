import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import type { ActivityView, LeadView } from "../../application/lead-view";
import { activityPaging } from "../../application/queries/list-activities";
import { loadersOf, type RequestContext } from "../context";
import { activityPageKey } from "../loaders";
import type { Page } from "../../application/queries/page";
import { Campaign, User } from "../types/federated-references";
import { Activity, ActivityConnection, edgesOf, Lead, LeadConnection } from "../types/lead";

/** Per-parent fields of a lead: batched per request, never one query per lead. */
@Resolver(() => Lead)
export class LeadFieldsResolver {
  @FieldResolver(() => ActivityConnection)
  activities(
    @Root() lead: LeadView,
    @Ctx() context: RequestContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): ActivityConnection | Promise<ActivityConnection> {
    const loaders = loadersOf(context);
    const connectionOf = (page: Page<ActivityView>) => ({ ...edgesOf(page), totalCount: lead.activityCount });
    // Fetched with the lead already: answered at once, no promise per lead.
    const prefetched = loaders.prefetchedActivities.get(activityPageKey(lead.id, { first, after }));
    if (prefetched) return connectionOf(prefetched);
    activityPaging({ first, after });
    return loaders.activitiesOfLead.load({ id: lead.id, args: { first, after } }).then(connectionOf);
  }

  @FieldResolver(() => User, { nullable: true, description: "The sales rep who owns the lead (resolved by the identity subgraph)." })
  owner(@Root() lead: LeadView): User | null {
    return lead.ownerId ? { id: lead.ownerId } : null;
  }

  @FieldResolver(() => Campaign, { nullable: true, description: "The marketing campaign the lead came from (resolved by the campaigns subgraph)." })
  campaign(@Root() lead: LeadView): Campaign | null {
    return lead.campaignId ? { id: lead.campaignId } : null;
  }
}

@Resolver(() => Activity)
export class ActivityFieldsResolver {
  @FieldResolver(() => User, { nullable: true })
  actor(@Root() activity: ActivityView): User | null {
    return activity.actorId ? { id: activity.actorId } : null;
  }
}

@Resolver(() => LeadConnection)
export class LeadConnectionResolver {
  @FieldResolver(() => Int)
  totalCount(@Root() connection: LeadConnection): Promise<number> {
    return connection.countTotal();
  }
}
