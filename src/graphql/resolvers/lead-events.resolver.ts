import { Arg, ID, Resolver, Root, Subscription } from "type-graphql";
import { narrowed } from "../../application/live-event-stream";
import { tenantTopic, type PublishedLeadEvent } from "../../application/live-events";
import type { LeadView } from "../../application/lead-view";
import { parseUuid } from "../../domain/shared/identifier";
import { READ, requireRole } from "../auth";
import type { RequestContext } from "../context";
import { LEAD_EVENT_TYPES, LeadEventTypeEnum } from "../types/enums";
import { LeadEvent } from "../types/lead-event";

interface LeadEventsArgs {
  leadId?: string | null;
  types?: string[] | null;
}

@Resolver()
export class LeadEventsResolver {
  @Subscription(() => LeadEvent, {
    description: "Live events of the caller's tenant, optionally narrowed to one lead and/or some types.",
    subscribe: ({ args, context }: { args: LeadEventsArgs; context: RequestContext }) => {
      // The tenant comes from the token; arguments can only narrow within it.
      const { tenantId } = requireRole(context, READ);
      const leadId = args.leadId == null ? null : parseUuid(args.leadId, "leadId");
      const types = args.types?.length ? new Set(args.types) : null;
      // Only the events asked for (and, again, only the tenant's); returnable at once
      // when the socket closes, the client completes or the token expires.
      return narrowed(
        context.services.liveEvents.subscribe(tenantTopic(tenantId)),
        (event) =>
          event.tenantId === tenantId &&
          (leadId === null || event.leadId === leadId) &&
          (types === null || types.has(LEAD_EVENT_TYPES[event.name])),
      );
    },
  })
  leadEvents(
    @Root() event: PublishedLeadEvent,
    @Arg("leadId", () => ID, { nullable: true }) _leadId?: string | null,
    @Arg("types", () => [LeadEventTypeEnum], { nullable: true }) _types?: string[] | null,
  ): LeadEvent {
    return {
      eventId: event.eventId,
      type: LEAD_EVENT_TYPES[event.name],
      leadId: event.leadId,
      version: event.version,
      occurredAt: event.occurredAt,
      actorId: event.actorId,
      payload: event.payload,
      lead: event.lead as unknown as LeadView | null,
    };
  }
}
