import type { ActivityType } from "./lead-status";

/** Something a rep did with a lead: a call, meeting, email or note. Entity of the Lead aggregate. */
export interface Activity {
  readonly id: string;
  readonly leadId: string;
  readonly type: ActivityType;
  readonly summary: string;
  readonly occurredAt: Date;
  readonly actorId: string | null;
  readonly createdAt: Date;
}
