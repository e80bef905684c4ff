import { describe, expect, it } from "vitest";
import { ActivitySummary } from "../../src/domain/lead/activity-summary";
import type { Lead } from "../../src/domain/lead/lead";
import { ACTIVITY_TYPES } from "../../src/domain/lead/lead-status";
import { aChange, aLead, later, NOW, REP } from "./a-lead";
import { refused } from "./refused";

const summary = ActivitySummary.create("Called, left a message");
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
const log = (lead: Lead, occurredAt: Date | null, id = "activity-1") => lead.logActivity({ id, type: "CALL", summary, occurredAt }, aChange());

describe("logging an activity", () => {
  it("records who did what, when, on which lead", () => {
    const lead = aLead().build();
    const activity = log(lead, minutes(-60));
    expect(activity).toEqual({ id: "activity-1", leadId: lead.id, type: "CALL", summary: "Called, left a message", occurredAt: minutes(-60), actorId: REP, createdAt: NOW });
    expect(Object.isFrozen(activity)).toBe(true);
  });

  it("dates an undated activity now", () => {
    expect(log(aLead().build(), null).occurredAt).toEqual(NOW);
  });

  it("may be dated up to 5 minutes into the future, not a millisecond more", () => {
    const lead = aLead().build();
    expect(log(lead, minutes(5), "on-the-edge").occurredAt).toEqual(minutes(5));
    const version = lead.version;
    refused(() => log(lead, new Date(minutes(5).getTime() + 1), "too-early"), "occurredAt");
    expect(lead.version).toBe(version);
    expect(lead.pullNewActivities().map((activity) => activity.id)).toEqual(["on-the-edge"]);
  });

  it("may lie far in the past", () => {
    expect(log(aLead().build(), new Date("2001-01-01T00:00:00Z")).occurredAt).toEqual(new Date("2001-01-01T00:00:00Z"));
  });

  it("refuses a date that is not a date", () => {
    refused(() => log(aLead().build(), new Date("not a date")), "occurredAt");
  });

  it("knows every activity type", () => {
    const lead = aLead().build();
    for (const type of ACTIVITY_TYPES) expect(lead.logActivity({ id: type, type, summary, occurredAt: null }, aChange()).type).toBe(type);
  });

  it("counts toward the lead, one version per activity", () => {
    const lead = aLead().build();
    log(lead, null, "a1");
    log(lead, null, "a2");
    expect(lead.state).toMatchObject({ activityCount: 2, version: 3 });
  });

  it("is handed to the repository once", () => {
    const lead = aLead().build();
    const activity = log(lead, null);
    expect(lead.pullNewActivities()).toEqual([activity]);
    expect(lead.pullNewActivities()).toEqual([]);
  });

  it("is allowed whatever the status, LOST and CONVERTED included", () => {
    for (const build of [() => aLead().lost().build(), () => aLead().converted().build()]) {
      const lead = build();
      lead.logActivity({ id: "x", type: "NOTE", summary, occurredAt: null }, later());
      expect(lead.state.activityCount).toBe(1);
    }
  });
});
