import type { Tracer } from "@opentelemetry/api";
import DataLoader from "dataloader";
import { childSpan } from "../infrastructure/tracing/spans";
import { countAssignedLeads, listAssignedLeads, type AssignedLeadsArgs } from "../application/queries/assigned-leads";
import { getLeads } from "../application/queries/get-leads";
import { listActivitiesOfLeads, type ActivityPageArgs } from "../application/queries/list-activities";
import type { Page } from "../application/queries/page";
import type { ActivityView, LeadView } from "../application/lead-view";
import type { LeadStatus } from "../domain/lead/lead-status";
import type { ReadDb, TenantReads } from "../infrastructure/read-store/tenant-reads";

/** A key of a per-parent field: the parent's id plus the field's arguments. */
interface ParentKey<A> {
  id: string;
  args: A;
}

/**
 * A loader for a field that takes arguments: keys with the same arguments are
 * fetched together in one statement, all groups of a tick on one connection.
 */
function perParentLoader<A, V>(
  name: string,
  reads: TenantReads,
  tenantId: string,
  fetch: (db: ReadDb, ids: string[], args: A) => Promise<Map<string, V>>,
  tracer: Tracer | undefined,
): DataLoader<ParentKey<A>, V, string> {
  return new DataLoader<ParentKey<A>, V, string>(
    (keys) =>
      batchSpan(tracer, name, keys.length, () => reads.inTenant(tenantId, async (db) => {
        const groups = new Map<string, { args: A; ids: string[] }>();
        for (const key of keys) {
          const group = groups.get(JSON.stringify(key.args)) ?? { args: key.args, ids: [] };
          group.ids.push(key.id);
          groups.set(JSON.stringify(key.args), group);
        }
        const results = new Map<string, Map<string, V>>();
        for (const [argsKey, group] of groups) results.set(argsKey, await fetch(db, group.ids, group.args));
        return keys.map((key) => results.get(JSON.stringify(key.args))?.get(key.id) as V);
      })),
    { cacheKeyFn: (key) => `${key.id}|${JSON.stringify(key.args)}` },
  );
}

/**
 * Pages of activities fetched together with their leads (look-ahead), kept
 * for the activities field to serve without a batch of its own.
 */
export class PrefetchedActivities {
  private readonly pages = new Map<string, Page<ActivityView>>();

  keep(args: ActivityPageArgs, pagesByLead: ReadonlyMap<string, Page<ActivityView>>): void {
    for (const [leadId, page] of pagesByLead) this.pages.set(PrefetchedActivities.key(leadId, args), page);
  }

  get(leadId: string, args: ActivityPageArgs): Page<ActivityView> | undefined {
    return this.pages.get(PrefetchedActivities.key(leadId, args));
  }

  private static key(leadId: string, args: ActivityPageArgs): string {
    return `${leadId}|${args.first ?? ""}|${args.after ?? ""}|${args.last ?? ""}|${args.before ?? ""}`;
  }
}

/** A batch as a span of the request (with tracing on): the one resolver-level span worth its cost. */
function batchSpan<T>(tracer: Tracer | undefined, loader: string, size: number, work: () => Promise<T>): Promise<T> {
  return childSpan(tracer, `DataLoader ${loader}`, { "crm.dataloader.name": loader, "crm.dataloader.batch_size": size }, work);
}

export function createLoaders(reads: TenantReads, tenantId: string, tracer?: Tracer) {
  return {
    prefetchedActivities: new PrefetchedActivities(),
    leadById: new DataLoader<string, LeadView | null>((ids) =>
      batchSpan(tracer, "leadById", ids.length, () => reads.inTenant(tenantId, (db) => getLeads(db, tenantId, ids))),
    ),
    activitiesOfLead: perParentLoader<ActivityPageArgs, Page<ActivityView>>(
      "activitiesOfLead", reads, tenantId, (db, ids, args) => listActivitiesOfLeads(db, tenantId, ids, args), tracer,
    ),
    assignedLeads: perParentLoader<AssignedLeadsArgs, Page<LeadView>>(
      "assignedLeads", reads, tenantId, (db, ids, args) => listAssignedLeads(db, tenantId, ids, args), tracer,
    ),
    assignedLeadCount: perParentLoader<LeadStatus[] | null, number>(
      "assignedLeadCount", reads, tenantId, (db, ids, status) => countAssignedLeads(db, tenantId, ids, status), tracer,
    ),
  };
}

export type RequestLoaders = ReturnType<typeof createLoaders>;
