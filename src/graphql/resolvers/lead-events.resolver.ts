import { Arg, ID, Resolver, Root, Subscription } from "type-graphql";
import { narrowed } from "../../application/live-event-stream";
import { tenantTopic, type PublishedLeadEvent } from "../../application/live-events";
import { resumeLeadEvents, resumePointUnknown } from "../../application/resume-lead-events";
import type { LeadEventName } from "../../domain/lead/events";
import { isUuid, parseUuid } from "../../domain/shared/identifier";
import { READ, requireRole } from "../auth";
import type { RequestContext } from "../context";
import { LEAD_EVENT_TYPES, LeadEventTypeEnum } from "../types/enums";
import { LeadEvent, leadEventOf } from "../types/lead-event";

interface LeadEventsArgs {
  leadId?: string | null;
  types?: string[] | null;
  after?: string | null;
}

const EVENT_NAME_OF_TYPE = new Map(Object.entries(LEAD_EVENT_TYPES).map(([name, type]) => [type, name as LeadEventName]));

@Resolver()
export class LeadEventsResolver {
  @Subscription(() => LeadEvent, {
    description:
      "Live events of the caller's tenant, optionally narrowed to one lead and/or some types. With `after` (an eventId already received), the events committed since then are replayed first, then live ones follow: none missed, none twice.",
    subscribe: ({ args, context }: { args: LeadEventsArgs; context: RequestContext }) => {
      // The tenant comes from the token; arguments can only narrow within it.
      const { tenantId } = requireRole(context, READ);
      const leadId = args.leadId == null ? null : parseUuid(args.leadId, "leadId");
      const types = args.types?.length ? new Set(args.types) : null;
      const keep = (event: PublishedLeadEvent) =>
        event.tenantId === tenantId && (leadId === null || event.leadId === leadId) && (types === null || types.has(LEAD_EVENT_TYPES[event.name]));
      // Only the events asked for (and, again, only the tenant's); returnable at once
      // when the socket closes, the client completes or the token expires.
      if (args.after == null) return narrowed(context.services.liveEvents.subscribe(tenantTopic(tenantId)), keep);
      // Not even a UUID: certainly not an event of this tenant.
      if (!isUuid(args.after)) throw resumePointUnknown();
      const eventNames = types ? [...types].map((type) => EVENT_NAME_OF_TYPE.get(type)!).filter(Boolean) : null;
      return resumeLeadEvents(
        context.services.liveEvents,
        context.services.eventReplay,
        { tenantId, after: args.after.toLowerCase(), leadId, eventNames },
        keep,
      );
    },
  })
  leadEvents(
    @Root() event: PublishedLeadEvent,
    @Arg("leadId", () => ID, { nullable: true, description: "Only this lead's events." }) _leadId?: string | null,
    @Arg("types", () => [LeadEventTypeEnum], { nullable: true, description: "Only events of these types; all when omitted or empty." }) _types?: string[] | null,
    @Arg("after", () => ID, { nullable: true, description: "An eventId already received: the events committed since then are replayed first." })
    _after?: string | null,
  ): LeadEvent {
    return leadEventOf(event);
  }
}
