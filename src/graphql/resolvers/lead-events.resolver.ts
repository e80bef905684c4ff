import { Arg, ID, Resolver, Root, Subscription } from "type-graphql";
import { tenantTopic, type PublishedLeadEvent } from "../../application/live-events";
import type { LeadView } from "../../application/lead-view";
import { parseUuid } from "../../domain/shared/identifier";
import { READ, requireRole } from "../auth";
import type { RequestContext } from "../context";
import { LEAD_EVENT_TYPES, LeadEventTypeEnum } from "../types/enums";
import { LeadEvent, leadEventOf } from "../types/lead-event";

interface LeadEventsArgs {
  leadId?: string | null;
  types?: string[] | null;
}

/** Keeps only the events a subscriber asked for (and, again, only its tenant's). */
async function* narrowed(
  events: AsyncIterable<PublishedLeadEvent>,
  keep: (event: PublishedLeadEvent) => boolean,
): AsyncGenerator<PublishedLeadEvent> {
  for await (const event of events) if (keep(event)) yield event;
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
    return leadEventOf(event);
  }
}
