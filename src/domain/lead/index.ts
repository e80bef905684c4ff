// The lead pipeline's domain, for the application and adapters to import from one place.
export { newActivity, type Activity } from "./activity";
export { ActivitySummary } from "./activity-summary";
export { CompanyName } from "./company-name";
export { sameProfile, type CompanyProfile } from "./company-profile";
export { Email } from "./email";
export type { LeadEvent, LeadEventName } from "./events";
export { Lead, type CaptureArgs, type Change, type ContactChanges, type LeadState } from "./lead";
export { LeadName } from "./lead-name";
export type { LeadRepository } from "./lead-repository";
export { scoreLead, type ScoringFacts } from "./lead-scoring";
export {
  ACTIVITY_TYPES,
  assertTransition,
  canTransition,
  isClosed,
  LEAD_SOURCES,
  LEAD_STATUSES,
  type ActivityType,
  type LeadSource,
  type LeadStatus,
} from "./lead-status";
export { LostReason } from "./lost-reason";
export { Money } from "./money";
export { Phone } from "./phone";
export { MAX_TAGS_PER_LEAD, Tag, TagSet } from "./tag";
