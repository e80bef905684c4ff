import { narrowed, type LiveEventStream } from "./live-event-stream";
import { tenantTopic, type LiveEventBus, type PublishedLeadEvent } from "./live-events";
import type { ReplayOutcome, ReplayRequest } from "./queries/replay-lead-events";

/** Replays a tenant's committed events after a position (wired to PostgreSQL's primary). */
export type EventReplay = (request: ReplayRequest) => Promise<ReplayOutcome>;

export type ResumeRefusalCode = "RESUME_POINT_UNKNOWN" | "RESUME_WINDOW_EXCEEDED";

/**
 * A resume the service cannot honour; it ends the subscription. `extensions`
 * is what graphql-js copies onto the error the client receives.
 */
export class ResumeRefusedError extends Error {
  readonly extensions: { code: ResumeRefusalCode };
  constructor(code: ResumeRefusalCode, message: string) {
    super(message);
    this.name = "ResumeRefusedError";
    this.extensions = { code };
  }
}

export function resumePointUnknown(): ResumeRefusedError {
  return new ResumeRefusedError("RESUME_POINT_UNKNOWN", "`after` is not a known event of your tenant within the replay window: reload instead");
}

/**
 * leadEvents(after:): replay then live, nothing missed, nothing twice. The
 * live subscription is attached first and buffers; then the events committed
 * after `after` are read from PostgreSQL (so they include what any instance
 * published meanwhile); they go out first, then the buffer and live events,
 * skipping any the replay already delivered.
 */
export async function resumeLeadEvents(
  bus: LiveEventBus,
  replay: EventReplay,
  request: ReplayRequest,
  keep: (event: PublishedLeadEvent) => boolean,
): Promise<LiveEventStream<PublishedLeadEvent>> {
  const live = await bus.subscribeNow(tenantTopic(request.tenantId));
  let outcome: ReplayOutcome;
  try {
    outcome = await replay(request);
  } catch (error) {
    await live.return();
    throw error;
  }
  if (outcome.kind !== "replay") {
    await live.return();
    if (outcome.kind === "unknown-position") throw resumePointUnknown();
    throw new ResumeRefusedError("RESUME_WINDOW_EXCEEDED", "Too many events to replay since `after`: reload instead");
  }
  return replayThenLive(outcome.events, live, keep);
}

/**
 * The replayed events, then the live ones the replay did not already deliver.
 * Written by hand rather than as an async generator so that returning it (socket
 * closed, client completed, token expired) releases the live stream at once.
 */
function replayThenLive(
  replayed: PublishedLeadEvent[],
  live: LiveEventStream<PublishedLeadEvent>,
  keep: (event: PublishedLeadEvent) => boolean,
): LiveEventStream<PublishedLeadEvent> {
  const pending = [...replayed];
  // Replayed events that were not yet published arrive live later: each is skipped once.
  const delivered = new Set(replayed.map((event) => event.eventId));
  const rest = narrowed(live, (event) => !delivered.delete(event.eventId) && keep(event));
  return {
    next: () => (pending.length ? Promise.resolve({ done: false, value: pending.shift() as PublishedLeadEvent }) : rest.next()),
    return: () => {
      pending.length = 0;
      return rest.return();
    },
    throw: async (error: unknown) => {
      pending.length = 0;
      await rest.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
