import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import type { ActivityView, LeadView } from "../../application/lead-view";
import { activityPaging, type ActivityPageArgs } from "../../application/queries/list-activities";
import { historyPaging, leadHistory, type HistoryPageArgs, type LeadHistoryPage } from "../../application/queries/lead-history";
import { loadersOf, readsOf, type RequestContext } from "../context";
import type { Page } from "../../application/queries/page";
import { Campaign, User } from "../types/federated-references";
import { Activity, ActivityConnection, edgesOf, Lead, LeadConnection } from "../types/lead";
import { LeadEvent, LeadEventConnection, leadEventOf } from "../types/lead-event";
import { READ, requireRole } from "../auth";
import { PAGE_ARGUMENTS } from "./argument-descriptions";

/**
 * The per-item fields of leads and activities as plain functions. The classes
 * below declare them to the schema; schema.ts installs these functions as the
 * resolvers themselves, because type-graphql's wrapper copies the parent into
 * a class instance and awaits the arguments on every call (a promise per lead
 * on a page of 50).
 */
export const leadFields = {
  activities(lead: LeadView, args: ActivityPageArgs, context: RequestContext): ActivityConnection | Promise<ActivityConnection> {
    const loaders = loadersOf(context);
    const connectionOf = (page: Page<ActivityView>): ActivityConnection => {
      const { edges, pageInfo } = edgesOf(page);
      return { edges, pageInfo, totalCount: lead.activityCount };
    };
    // Fetched with the lead already (look-ahead): answered at once.
    const prefetched = loaders.prefetchedActivities.get(lead.id, args);
    if (prefetched) return connectionOf(prefetched);
    activityPaging(args);
    const paging = { first: args.first, after: args.after, last: args.last, before: args.before };
    return loaders.activitiesOfLead.load({ id: lead.id, args: paging }).then(connectionOf);
  },
  history(lead: LeadView, args: HistoryPageArgs, context: RequestContext): Promise<LeadEventConnection> {
    historyPaging(args); // bad paging is refused before any statement
    const { tenantId } = requireRole(context, READ);
    return readsOf(context)
      .inTenant(tenantId, (db) => leadHistory(db, tenantId, lead.id, { first: args.first, after: args.after }))
      .then(({ page, totalCount }: LeadHistoryPage) => {
        const sources = new Map(page.nodes.map((event) => [leadEventOf(event), event]));
        const { edges, pageInfo } = edgesOf<LeadEvent>({
          nodes: [...sources.keys()],
          hasNextPage: page.hasNextPage,
          hasPreviousPage: page.hasPreviousPage,
          cursorOf: (node) => page.cursorOf(sources.get(node)!),
        });
        return { edges, pageInfo, totalCount };
      });
  },
  owner: (lead: LeadView): User | null => (lead.ownerId ? { id: lead.ownerId } : null),
  campaign: (lead: LeadView): Campaign | null => (lead.campaignId ? { id: lead.campaignId } : null),
};

export const activityFields = {
  actor: (activity: ActivityView): User | null => (activity.actorId ? { id: activity.actorId } : null),
};

/** Per-parent fields of a lead: batched per request, never one query per lead. */
@Resolver(() => Lead)
export class LeadFieldsResolver {
  @FieldResolver(() => ActivityConnection, { description: "The activities logged on the lead, newest first." })
  activities(
    @Root() lead: LeadView,
    @Ctx() context: RequestContext,
    @Arg("first", () => Int, { nullable: true, description: PAGE_ARGUMENTS.first }) first?: number | null,
    @Arg("after", () => String, { nullable: true, description: PAGE_ARGUMENTS.after }) after?: string | null,
    @Arg("last", () => Int, { nullable: true, description: PAGE_ARGUMENTS.last }) last?: number | null,
    @Arg("before", () => String, { nullable: true, description: PAGE_ARGUMENTS.before }) before?: string | null,
  ): ActivityConnection | Promise<ActivityConnection> {
    return leadFields.activities(lead, { first, after, last, before }, context);
  }

  @FieldResolver(() => LeadEventConnection, {
    description: "Every event of this lead since its capture, newest first; each node's `lead` is the lead as of that event.",
  })
  history(
    @Root() lead: LeadView,
    @Ctx() context: RequestContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: 20, description: "How many events, 1 to 100." }) first?: number | null,
    @Arg("after", () => String, { nullable: true, description: "A cursor of this history; the page starts after it (older events)." }) after?: string | null,
  ): Promise<LeadEventConnection> {
    return leadFields.history(lead, { first, after }, context);
  }

  @FieldResolver(() => User, { nullable: true, description: "The sales rep who owns the lead (resolved by the identity subgraph)." })
  owner(@Root() lead: LeadView): User | null {
    return leadFields.owner(lead);
  }

  @FieldResolver(() => Campaign, { nullable: true, description: "The marketing campaign the lead came from (resolved by the campaigns subgraph)." })
  campaign(@Root() lead: LeadView): Campaign | null {
    return leadFields.campaign(lead);
  }
}

@Resolver(() => Activity)
export class ActivityFieldsResolver {
  @FieldResolver(() => User, { nullable: true, description: "Who logged it (resolved by the identity subgraph); null if the service did." })
  actor(@Root() activity: ActivityView): User | null {
    return activityFields.actor(activity);
  }
}

@Resolver(() => LeadConnection)
export class LeadConnectionResolver {
  @FieldResolver(() => Int, { description: "How many leads match in all, across pages (counted only if selected; the count is cached until the tenant's leads change)." })
  totalCount(@Root() connection: LeadConnection): Promise<number> {
    return connection.countTotal();
  }
}
