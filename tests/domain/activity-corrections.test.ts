import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import type { ActivityEditor } from "../../src/domain/lead/lead";
import { ActivityNotFoundError, NotActivityActorError } from "../../src/domain/shared/domain-error";
import { aChange, aLead, eventsOf, LEAD_ID, minutesAfterNow, NOW, OTHER_REP, REP } from "./lead-builder";
import { errorOf, refused, refusedTransition } from "./refused";

// RULES, Increment 2a: "Activities" and "Unassign".

const rep: ActivityEditor = { userId: REP, isAdmin: false };
const otherRep: ActivityEditor = { userId: OTHER_REP, isAdmin: false };
const admin: ActivityEditor = { userId: OTHER_REP, isAdmin: true };
const summary = (text: string) => ActivitySummary.create(text);
const later = (minutes = 3, actorId: string | null = REP) => aChange(minutesAfterNow(minutes), actorId);

describe("correcting an activity", () => {
  it("changes what is given, stamps editedAt, bumps the version and names the changed fields, never their text", () => {
    const { lead, activities } = aLead().withActivities(2).buildWithActivities();
    const version = lead.version;
    const edited = lead.editActivity(activities[0], { summary: summary("Called back, wants a demo") }, rep, later());
    expect(edited).toMatchObject({ id: activities[0].id, summary: "Called back, wants a demo", type: "NOTE", editedAt: minutesAfterNow(3) });
    expect(edited.occurredAt).toEqual(activities[0].occurredAt);
    expect(lead.version).toBe(version + 1);
    expect(lead.state.updatedAt).toEqual(minutesAfterNow(3));
    expect(eventsOf(lead)).toEqual([["LeadActivityEdited", version + 1, { activityId: activities[0].id, fields: ["summary"] }]]);
  });

  it("lists every changed field in the input's order: type, summary, occurredAt", () => {
    const { lead, activities } = aLead().withActivities(1).buildWithActivities();
    const occurredAt = new Date(NOW.getTime() - 3600_000);
    const edited = lead.editActivity(activities[0], { occurredAt, summary: summary("x"), type: "MEETING" }, rep, later());
    expect(edited).toMatchObject({ type: "MEETING", summary: "x", occurredAt });
    expect(eventsOf(lead)).toEqual([["LeadActivityEdited", lead.version, { activityId: activities[0].id, fields: ["type", "summary", "occurredAt"] }]]);
  });

  it("is no change when nothing differs: no event, same version, editedAt stays null", () => {
    const { lead, activities } = aLead().withActivities(1).buildWithActivities();
    const version = lead.version;
    const same = lead.editActivity(activities[0], { type: "NOTE", summary: summary("note"), occurredAt: new Date(activities[0].occurredAt) }, rep, later());
    expect(same).toBe(activities[0]);
    expect(same.editedAt).toBeNull();
    expect(lead.version).toBe(version);
    expect(eventsOf(lead)).toEqual([]);
    expect(lead.pullEditedActivities()).toEqual([]);
    lead.editActivity(activities[0], {}, rep, later());
    expect(eventsOf(lead)).toEqual([]);
  });

  it("refuses an occurredAt more than 5 minutes ahead (as logging does), and accepts one within the slack", () => {
    const { lead, activities } = aLead().withActivities(1).buildWithActivities();
    refused(() => lead.editActivity(activities[0], { occurredAt: minutesAfterNow(9) }, rep, later(3)), "occurredAt");
    expect(eventsOf(lead)).toEqual([]);
    lead.editActivity(activities[0], { occurredAt: minutesAfterNow(7) }, rep, later(3));
    expect(eventsOf(lead).map(([name]) => name)).toEqual(["LeadActivityEdited"]);
  });

  it("refuses an occurredAt before 1970 or in year 0 (as logging does)", () => {
    const { lead, activities } = aLead().withActivities(1).buildWithActivities();
    refused(() => lead.editActivity(activities[0], { occurredAt: new Date("1969-12-31T23:59:59.999Z") }, rep, later()), "occurredAt");
    refused(() => lead.editActivity(activities[0], { occurredAt: new Date("0000-01-01T00:00:00.000Z") }, rep, later()), "occurredAt");
    expect(eventsOf(lead)).toEqual([]);
  });

  it("refuses a sales rep correcting another rep's activity (FORBIDDEN); an admin may", () => {
    const { lead, activities } = aLead().withActivities(1).buildWithActivities();
    const refusal = errorOf(() => lead.editActivity(activities[0], { summary: summary("mine now") }, otherRep, later(3, OTHER_REP)));
    expect(refusal).toBeInstanceOf(NotActivityActorError);
    expect((refusal as NotActivityActorError).code).toBe("FORBIDDEN");
    expect(eventsOf(lead)).toEqual([]);
    lead.editActivity(activities[0], { summary: summary("fixed by admin") }, admin, later(3, OTHER_REP));
    expect(eventsOf(lead).map(([name]) => name)).toEqual(["LeadActivityEdited"]);
  });

  it("lets only an admin change an activity nobody is the actor of", () => {
    const lead = aLead().build();
    const serviceLogged = lead.logActivity({ id: "by-service", type: "EMAIL", summary: summary("auto"), occurredAt: null }, aChange(NOW, null));
    lead.pullEvents();
    expect(errorOf(() => lead.deleteActivity(serviceLogged, { userId: null, isAdmin: false }, later()))).toBeInstanceOf(NotActivityActorError);
    lead.deleteActivity(serviceLogged, admin, later());
    expect(lead.state.activityCount).toBe(0);
  });

  it("treats an activity of another lead, or none, as NOT_FOUND (before FORBIDDEN)", () => {
    const { lead, activities } = aLead().withActivities(1).buildWithActivities();
    const elsewhere = { ...activities[0], leadId: "99999999-9999-4999-8999-999999999999" };
    const notHere = errorOf(() => lead.assertMayChangeActivity(elsewhere, elsewhere.id, otherRep));
    expect(notHere).toBeInstanceOf(ActivityNotFoundError);
    expect((notHere as ActivityNotFoundError).code).toBe("NOT_FOUND");
    expect(errorOf(() => lead.assertMayChangeActivity(null, "missing", rep))).toBeInstanceOf(ActivityNotFoundError);
    expect(errorOf(() => lead.deleteActivity(elsewhere, admin, later()))).toBeInstanceOf(ActivityNotFoundError);
    expect(eventsOf(lead)).toEqual([]);
  });

  it("is allowed on a converted lead, like logging", () => {
    const { lead, activities } = aLead().withActivities(1).converted().buildWithActivities();
    lead.editActivity(activities[0], { type: "CALL" }, rep, later());
    expect(lead.status).toBe("CONVERTED");
    expect(eventsOf(lead).map(([name]) => name)).toEqual(["LeadActivityEdited"]);
    expect(lead.pullEditedActivities().map((a) => a.type)).toEqual(["CALL"]);
  });
});

describe("removing an activity", () => {
  it("drops activityCount, rescores (+5 per remaining activity) and records the removal, then the score change", () => {
    const { lead, activities } = aLead().withActivities(2).buildWithActivities();
    expect(lead.score).toBe(30); // WEBSITE_FORM 20 + 2 activities
    const version = lead.version;
    lead.deleteActivity(activities[1], rep, later());
    expect(lead.state.activityCount).toBe(1);
    expect(lead.score).toBe(25);
    expect(lead.version).toBe(version + 1);
    expect(eventsOf(lead)).toEqual([
      ["LeadActivityDeleted", version + 1, { activityId: activities[1].id, type: "NOTE" }],
      ["LeadScoreChanged", version + 1, { from: 30, to: 25 }],
    ]);
    expect(lead.pullRemovedActivities()).toEqual([activities[1]]);
  });

  it("records no score change when the activity points were capped (six activities, at most 25)", () => {
    const { lead, activities } = aLead().withActivities(6).buildWithActivities();
    const score = lead.score;
    lead.deleteActivity(activities[0], rep, later());
    expect(lead.score).toBe(score);
    expect(eventsOf(lead).map(([name]) => name)).toEqual(["LeadActivityDeleted"]);
  });

  it("is allowed on a converted lead, whose score stays 100", () => {
    const { lead, activities } = aLead().withActivities(1).converted().buildWithActivities();
    lead.deleteActivity(activities[0], rep, later());
    expect(lead.score).toBe(100);
    expect(eventsOf(lead).map(([name]) => name)).toEqual(["LeadActivityDeleted"]);
  });

  it("refuses a sales rep removing another rep's activity", () => {
    const { lead, activities } = aLead().withActivities(1).buildWithActivities();
    expect(errorOf(() => lead.deleteActivity(activities[0], otherRep, later(3, OTHER_REP)))).toBeInstanceOf(NotActivityActorError);
    expect(lead.state.activityCount).toBe(1);
    expect(lead.pullRemovedActivities()).toEqual([]);
  });
});

describe("unassigning", () => {
  for (const status of ["NEW", "CONTACTED", "LOST"] as const) {
    it(`hands a ${status} lead back to the pool: LeadUnassigned {from}, version +1`, () => {
      const lead = aLead().withOwner(REP).inStatus(status).build();
      const version = lead.version;
      lead.unassign(later());
      expect(lead.ownerId).toBeNull();
      expect(lead.version).toBe(version + 1);
      expect(eventsOf(lead)).toEqual([["LeadUnassigned", version + 1, { from: REP }]]);
    });
  }

  it("is no change for a lead without an owner", () => {
    const lead = aLead().build();
    lead.unassign(later());
    expect(lead.version).toBe(1);
    expect(eventsOf(lead)).toEqual([]);
  });

  it("refuses QUALIFIED (it needs an owner) and CONVERTED (closed) with from = to = the status", () => {
    const qualified = aLead().qualified().build();
    refusedTransition(() => qualified.unassign(later()), "QUALIFIED", "QUALIFIED");
    const converted = aLead().converted().build();
    refusedTransition(() => converted.unassign(later()), "CONVERTED", "CONVERTED");
    expect(qualified.ownerId).toBe(REP);
    expect(converted.ownerId).toBe(REP);
    expect(eventsOf(qualified)).toEqual([]);
  });

  it("names the lead it concerns in its events", () => {
    const lead = aLead().withOwner(OTHER_REP).build();
    lead.unassign(later());
    expect(lead.pullEvents()[0]).toMatchObject({ leadId: LEAD_ID, name: "LeadUnassigned", payload: { from: OTHER_REP } });
  });
});
