import { AggregateRoot } from "../shared/aggregate-root";
import { ActivityNotFoundError, InvalidTransitionError, NotActivityActorError, ValidationError } from "../shared/domain-error";
import { editActivity, newActivity, type Activity, type ActivityEdits } from "./activity";
import type { ActivitySummary } from "./activity-summary";
import { CompanyName, MAX_COMPANY_NAME_LENGTH } from "./company-name";
import { sameProfile, type CompanyProfile } from "./company-profile";
import type { Email } from "./email";
import type { LeadEvent, LeadEventName } from "./events";
import type { LeadName } from "./lead-name";
import { scoreLead, type ScoringFacts } from "./lead-scoring";
import { assertTransition, isClosed, type ActivityType, type LeadSource, type LeadStatus } from "./lead-status";
import type { LostReason } from "./lost-reason";
import type { Money } from "./money";
import type { Phone } from "./phone";
import { Tag, TagSet } from "./tag";

export interface LeadState {
  tenantId: string;
  id: string;
  name: string;
  email: string;
  phone: string | null;
  company: string | null;
  source: LeadSource;
  status: LeadStatus;
  score: number;
  estimatedValue: { amountMinor: number; currency: string } | null;
  tags: string[];
  lostReason: string | null;
  ownerId: string | null;
  campaignId: string | null;
  enrichment: CompanyProfile | null;
  activityCount: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  convertedAt: Date | null;
}

/** Who changes the lead, when, and where event ids come from: passed in, so the domain stays pure. */
export interface Change {
  actorId: string | null;
  now: Date;
  newEventId: () => string;
}

export interface CaptureArgs {
  id: string;
  tenantId: string;
  name: LeadName;
  email: Email;
  phone: Phone | null;
  company: CompanyName | null;
  source: LeadSource;
  campaignId: string | null;
  ownerId: string | null;
  tags: TagSet;
  estimatedValue: Money | null;
}

export interface ContactChanges {
  name?: LeadName;
  email?: Email;
  phone?: Phone | null;
  company?: CompanyName | null;
}

/** Who asks to correct or remove an activity: its actor or an admin may. */
export interface ActivityEditor {
  userId: string | null;
  isAdmin: boolean;
}

/** An event of a command before it gets its id and version. */
type Happening = [LeadEventName, Record<string, unknown>];

/**
 * A sales lead: the aggregate root of the pipeline. Every rule about what may
 * happen to a lead lives here; each change bumps `version` by one, rescores the
 * lead and records its events in a fixed order (the change, then the status
 * change, then the score change). A change that changes nothing records nothing.
 */
export class Lead extends AggregateRoot<LeadEvent> {
  private newActivities: Activity[] = [];
  private editedActivities: Activity[] = [];
  private removedActivities: Activity[] = [];

  private constructor(private current: LeadState) {
    super();
  }

  static capture(args: CaptureArgs, change: Change): Lead {
    const lead = new Lead({
      tenantId: args.tenantId,
      id: args.id,
      name: args.name.value,
      email: args.email.value,
      phone: args.phone?.value ?? null,
      company: args.company?.value ?? null,
      source: args.source,
      status: "NEW",
      score: 0,
      estimatedValue: args.estimatedValue?.toJSON() ?? null,
      tags: [...args.tags.values],
      lostReason: null,
      ownerId: args.ownerId,
      campaignId: args.campaignId,
      enrichment: null,
      activityCount: 0,
      version: 1,
      createdAt: change.now,
      updatedAt: change.now,
      convertedAt: null,
    });
    lead.current.score = scoreLead(lead.scoringFacts());
    // Capture records only LeadCaptured: its payload already carries the score.
    const s = lead.current;
    lead.emit(change, "LeadCaptured", {
      id: s.id,
      name: s.name,
      email: s.email,
      phone: s.phone,
      company: s.company,
      source: s.source,
      status: s.status,
      score: s.score,
      estimatedValue: s.estimatedValue ? { ...s.estimatedValue } : null,
      tags: [...s.tags],
      ownerId: s.ownerId,
      campaignId: s.campaignId,
      createdAt: s.createdAt.toISOString(),
    });
    return lead;
  }

  /** A stored lead, as it was: nothing happens, so nothing is recorded. */
  static restore(state: LeadState): Lead {
    return new Lead(copyOf(state));
  }

  /** Refused before loading so bad input wins over NOT_FOUND (docs/domain.md: order of checks). */
  static assertQualifyingValue(value: Money): void {
    if (value.amountMinor <= 0) {
      throw new ValidationError("estimatedValue.amountMinor", "estimatedValue.amountMinor must be greater than 0 to qualify a lead");
    }
  }

  /** A snapshot in plain data: changing it does not change the lead. */
  get state(): Readonly<LeadState> {
    return Object.freeze(copyOf(this.current));
  }

  get id(): string {
    return this.current.id;
  }

  get tenantId(): string {
    return this.current.tenantId;
  }

  get email(): string {
    return this.current.email;
  }

  get ownerId(): string | null {
    return this.current.ownerId;
  }

  get score(): number {
    return this.current.score;
  }

  get version(): number {
    return this.current.version;
  }

  get status(): LeadStatus {
    return this.current.status;
  }

  /** Omitted fields stay; null clears phone or company. Identical data is no change at all. */
  updateContact(changes: ContactChanges, change: Change): void {
    this.refuseIfClosed("CONVERTED", "its contact data can no longer change");
    const next = {
      name: changes.name === undefined ? this.current.name : changes.name.value,
      email: changes.email === undefined ? this.current.email : changes.email.value,
      phone: changes.phone === undefined ? this.current.phone : (changes.phone?.value ?? null),
      company: changes.company === undefined ? this.current.company : (changes.company?.value ?? null),
    };
    const diff: Record<string, { from: string | null; to: string | null }> = {};
    for (const field of ["name", "email", "phone", "company"] as const) {
      if (next[field] !== this.current[field]) diff[field] = { from: this.current[field], to: next[field] };
    }
    if (Object.keys(diff).length === 0) return;
    Object.assign(this.current, next);
    this.commit(change, [["LeadContactUpdated", diff]]);
  }

  assign(ownerId: string, change: Change): void {
    this.refuseIfClosed("CONVERTED", "it can no longer be reassigned");
    if (this.current.ownerId === ownerId) return;
    const from = this.current.ownerId;
    this.current.ownerId = ownerId;
    this.commit(change, [["LeadAssigned", { from, to: ownerId }]]);
  }

  markContacted(change: Change): void {
    this.moveTo("CONTACTED", change);
  }

  /**
   * A qualified lead is someone's deal with a value: it needs an owner
   * (INVALID_TRANSITION without one) and an estimated value above zero.
   */
  qualify(estimatedValue: Money, change: Change): void {
    const from = this.current.status;
    this.refuseIfClosed("QUALIFIED");
    assertTransition(from, "QUALIFIED");
    if (!this.current.ownerId) throw new InvalidTransitionError(from, "QUALIFIED", "A lead needs an owner before it can be qualified");
    Lead.assertQualifyingValue(estimatedValue);
    // docs/domain.md: LEAD_STATUS_CHANGED carries {from, to} only; the value is on the lead snapshot.
    this.moveTo("QUALIFIED", change, {}, () => {
      this.current.estimatedValue = estimatedValue.toJSON();
    });
  }

  convert(change: Change): void {
    this.moveTo("CONVERTED", change, {}, () => {
      this.current.convertedAt = change.now;
    });
  }

  markLost(reason: LostReason, change: Change): void {
    this.moveTo("LOST", change, { reason: reason.value }, () => {
      this.current.lostReason = reason.value;
    });
  }

  /** A lost lead starts over as NEW; the old reason no longer applies. */
  reopen(change: Change): void {
    this.moveTo("NEW", change, {}, () => {
      this.current.lostReason = null;
    });
  }

  /** Allowed on a converted lead too: the work with a customer goes on. Always a change (it counts toward the score). */
  logActivity(args: { id: string; type: ActivityType; summary: ActivitySummary; occurredAt: Date | null }, change: Change): Activity {
    const activity = newActivity({ ...args, leadId: this.current.id, actorId: change.actorId, now: change.now });
    this.current.activityCount += 1;
    this.newActivities.push(activity);
    this.commit(change, [["LeadActivityLogged", { activityId: activity.id, type: activity.type }]]);
    return activity;
  }

  /** Allowed on a converted lead: tags organise, they do not move the deal. */
  tag(tags: readonly Tag[], change: Change): void {
    const { set, added } = TagSet.restore(this.current.tags).add(tags);
    if (added.length === 0) return;
    this.current.tags = [...set.values];
    this.commit(change, [["LeadTagsChanged", { added, removed: [] }]]);
  }

  untag(tags: readonly Tag[], change: Change): void {
    const { set, removed } = TagSet.restore(this.current.tags).remove(tags);
    if (removed.length === 0) return;
    this.current.tags = [...set.values];
    this.commit(change, [["LeadTagsChanged", { added: [], removed }]]);
  }

  /**
   * Enrichment is data, not a status change: a converted lead takes it too.
   * It fills in the company when the lead has none, never overwrites one a person typed.
   */
  recordEnrichment(profile: CompanyProfile, change: Change): void {
    if (sameProfile(this.current.enrichment, profile)) return;
    const enrichment: CompanyProfile = { domain: profile.domain, name: profile.name, employeeCount: profile.employeeCount, industry: profile.industry };
    const company = this.current.company ?? companyFromDirectory(enrichment.name);
    this.current.enrichment = enrichment;
    this.current.company = company;
    this.commit(change, [["LeadEnriched", { ...enrichment }]]);
  }

  /** Right to erasure: the last event a lead has, one version past its last. */
  markDeleted(change: Change): void {
    this.current.version += 1;
    this.emit(change, "LeadDeleted", {});
  }

  // Correcting and removing activities; unassigning.

  /**
   * The activity must be this lead's (another lead's does not exist here:
   * NOT_FOUND), and the editor its actor or an admin (FORBIDDEN). Callers
   * check it before the expected version (docs/domain.md: FORBIDDEN after NOT_FOUND).
   */
  assertMayChangeActivity(activity: Activity | null, activityId: string, editor: ActivityEditor): asserts activity is Activity {
    if (!activity || activity.leadId !== this.current.id) throw new ActivityNotFoundError(this.current.id, activityId);
    const isActor = activity.actorId !== null && activity.actorId === editor.userId;
    if (!isActor && !editor.isAdmin) throw new NotActivityActorError();
  }

  /**
   * Corrects type, summary or occurredAt (allowed on a converted lead, like
   * logging). An edit that changes nothing is no change; the event names the
   * changed fields, never their text.
   */
  editActivity(activity: Activity, edits: ActivityEdits, editor: ActivityEditor, change: Change): Activity {
    this.assertMayChangeActivity(activity, activity.id, editor);
    const edited = editActivity(activity, edits, change.now);
    if (edited.fields.length === 0) return activity;
    this.editedActivities.push(edited.activity);
    this.commit(change, [["LeadActivityEdited", { activityId: activity.id, fields: edited.fields }]]);
    return edited.activity;
  }

  /** Removes an activity: it no longer counts toward the score. */
  deleteActivity(activity: Activity, editor: ActivityEditor, change: Change): void {
    this.assertMayChangeActivity(activity, activity.id, editor);
    this.current.activityCount = Math.max(0, this.current.activityCount - 1);
    this.removedActivities.push(activity);
    this.commit(change, [["LeadActivityDeleted", { activityId: activity.id, type: activity.type }]]);
  }

  /**
   * Hands the lead back to the pool. A qualified lead is someone's deal and a
   * converted one is closed: both keep their owner. No owner: no change.
   */
  unassign(change: Change): void {
    const status = this.current.status;
    if (status === "QUALIFIED" || isClosed(status)) {
      throw new InvalidTransitionError(status, status, `A ${status} lead keeps its owner`);
    }
    const from = this.current.ownerId;
    if (from === null) return;
    this.current.ownerId = null;
    this.commit(change, [["LeadUnassigned", { from }]]);
  }

  /** Activities corrected since the lead was loaded, for the repository to update. */
  pullEditedActivities(): Activity[] {
    const activities = this.editedActivities;
    this.editedActivities = [];
    return activities;
  }

  /** Activities removed since the lead was loaded, for the repository to delete. */
  pullRemovedActivities(): Activity[] {
    const activities = this.removedActivities;
    this.removedActivities = [];
    return activities;
  }

  // Merge: the survivor absorbs a snapshot of the duplicate (see merge-leads.ts).

  /**
   * Takes in what a duplicate of this lead knows: the fields this lead lacks,
   * the union of the tags (more than 20 refused before anything changes) and
   * the duplicate's activities (moved by the repository, counted here). Name,
   * email, source, status and an owner already set stay. Always a change:
   * the duplicate is gone afterwards. Returns the names of the fields filled.
   */
  absorb(duplicate: Readonly<LeadState>, change: Change): string[] {
    const tags = TagSet.restore(this.current.tags).add(duplicate.tags.map((tag) => Tag.create(tag))).set;
    const s = this.current;
    const filled: string[] = [];
    // GraphQL's field names: they are what a client of LEAD_MERGED can look up on the Lead.
    const take = (field: string, lacking: boolean, fill: () => void, available: boolean) => {
      if (lacking && available) {
        fill();
        filled.push(field);
      }
    };
    take("phone", s.phone === null, () => (s.phone = duplicate.phone), duplicate.phone !== null);
    take("company", s.company === null, () => (s.company = duplicate.company), duplicate.company !== null);
    take("estimatedValue", s.estimatedValue === null, () => (s.estimatedValue = duplicate.estimatedValue && { ...duplicate.estimatedValue }), duplicate.estimatedValue !== null);
    take("owner", s.ownerId === null, () => (s.ownerId = duplicate.ownerId), duplicate.ownerId !== null);
    take("campaign", s.campaignId === null, () => (s.campaignId = duplicate.campaignId), duplicate.campaignId !== null);
    take("enrichment", s.enrichment === null, () => (s.enrichment = duplicate.enrichment && { ...duplicate.enrichment }), duplicate.enrichment !== null);
    s.tags = [...tags.values];
    s.activityCount += duplicate.activityCount;
    this.commit(change, [["LeadMerged", { duplicateId: duplicate.id, activitiesMoved: duplicate.activityCount, filled }]]);
    return filled;
  }

  /**
   * The duplicate's side of a merge: erased like deleteLead erases (LeadDeleted,
   * one version past its last), saying where it went. A converted lead is a
   * customer's record: it is never folded away.
   */
  markMergedInto(survivorId: string, change: Change): void {
    this.assertMergeableAsDuplicate();
    this.current.version += 1;
    this.emit(change, "LeadDeleted", { mergedInto: survivorId });
  }

  /** INVALID_TRANSITION with from = to = CONVERTED (docs/domain.md: Merge). */
  assertMergeableAsDuplicate(): void {
    if (isClosed(this.current.status)) {
      throw new InvalidTransitionError(this.current.status, this.current.status, "A converted lead cannot be merged into another lead");
    }
  }


  /** Activities logged since the lead was loaded, for the repository to insert. */
  pullNewActivities(): Activity[] {
    const activities = this.newActivities;
    this.newActivities = [];
    return activities;
  }

  /** A converted lead is closed: only activities, tags, enrichment and erasure still apply. */
  private refuseIfClosed(target: LeadStatus, refusal = `it cannot become ${target}`): void {
    if (isClosed(this.current.status)) {
      throw new InvalidTransitionError(this.current.status, target, `The lead is converted and closed: ${refusal}`);
    }
  }

  private moveTo(to: LeadStatus, change: Change, details: Record<string, unknown> = {}, effect?: () => void): void {
    const from = this.current.status;
    this.refuseIfClosed(to);
    assertTransition(from, to);
    effect?.();
    this.current.status = to;
    this.commit(change, [["LeadStatusChanged", { from, to, ...details }]]);
  }

  private commit(change: Change, happenings: Happening[]): void {
    const scoreBefore = this.current.score;
    this.current.version += 1;
    this.current.updatedAt = change.now;
    this.current.score = scoreLead(this.scoringFacts());
    for (const [name, payload] of happenings) this.emit(change, name, payload);
    if (this.current.score !== scoreBefore) this.emit(change, "LeadScoreChanged", { from: scoreBefore, to: this.current.score });
  }

  private emit(change: Change, name: LeadEventName, payload: Record<string, unknown>): void {
    this.record({
      eventId: change.newEventId(),
      name,
      tenantId: this.current.tenantId,
      leadId: this.current.id,
      version: this.current.version,
      occurredAt: change.now,
      actorId: change.actorId,
      payload,
    });
  }

  private scoringFacts(): ScoringFacts {
    const s = this.current;
    return {
      source: s.source,
      hasPhone: s.phone !== null,
      hasCompany: s.company !== null,
      activityCount: s.activityCount,
      estimatedValueMinor: s.estimatedValue?.amountMinor ?? null,
      employeeCount: s.enrichment?.employeeCount ?? null,
      status: s.status,
    };
  }
}

function copyOf(state: LeadState): LeadState {
  return {
    ...state,
    tags: [...state.tags],
    estimatedValue: state.estimatedValue ? { ...state.estimatedValue } : null,
    enrichment: state.enrichment ? { ...state.enrichment } : null,
  };
}

/** A directory's company name, made to fit the lead's company rules (it is not user input to refuse). */
function companyFromDirectory(name: string | null): string | null {
  if (name === null) return null;
  const fitted = [...name.trim()].slice(0, MAX_COMPANY_NAME_LENGTH).join("");
  return CompanyName.create(fitted)?.value ?? null;
}
