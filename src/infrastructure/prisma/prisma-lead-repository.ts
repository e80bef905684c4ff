import type { Activity } from "../../domain/lead/activity";
import type { ActivityType } from "../../domain/lead/lead-status";
import type { Email } from "../../domain/lead/email";
import { Lead } from "../../domain/lead/lead";
import type { LeadRepository } from "../../domain/lead/lead-repository";
import { LeadAlreadyExistsError, VersionConflictError } from "../../domain/shared/domain-error";
import { Prisma } from "./generated/client";
import { LEAD_COLUMNS, leadColumnsFromState, leadStateFromRow, type LeadRow } from "./lead-row-mapper";
import { idempotencyRecords } from "./idempotency-records";
import { jsonOrNull } from "./json-parameter";
import type { TenantDb } from "./tenant-db";

/** The lead repository over one tenant transaction. Every statement names the tenant. */
export class PrismaLeadRepository implements LeadRepository {
  constructor(
    private readonly db: TenantDb,
    private readonly tenantId: string,
  ) {}

  async findForUpdate(leadId: string): Promise<Lead | null> {
    // FOR UPDATE: concurrent commands on one lead run one after another
    // instead of failing on each other's version (docs/domain.md: none is lost).
    const rows = await this.db.$queryRaw<LeadRow[]>`
      SELECT ${Prisma.raw(LEAD_COLUMNS)} FROM lead
      WHERE tenant_id = ${this.tenantId}::uuid AND id = ${leadId}::uuid
      FOR UPDATE`;
    return rows[0] ? Lead.restore(leadStateFromRow(rows[0])) : null;
  }

  async findIdByEmail(email: Email): Promise<string | null> {
    // Reserve the address until commit, so two transactions claiming it (a
    // capture and a contact update, say) queue up and the second sees the first.
    await this.db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${this.tenantId}:${email.value}`}, 0))`;
    const found = await this.db.$queryRaw<{ id: string }[]>`
      SELECT id FROM lead WHERE tenant_id = ${this.tenantId}::uuid AND email = ${email.value}`;
    return found[0]?.id ?? null;
  }

  async save(lead: Lead, loadedVersion: number): Promise<void> {
    const c = leadColumnsFromState(lead.state);
    const updated = await this.db.$executeRaw`
      UPDATE lead SET name = ${c.name}, email = ${c.email}, phone = ${c.phone}, company = ${c.company}, source = ${c.source},
        status = ${c.status}, score = ${c.score}, estimated_value_minor = ${c.estimatedValueMinor},
        estimated_value_currency = ${c.estimatedValueCurrency}, tags = ${c.tags}::text[], lost_reason = ${c.lostReason},
        owner_id = ${c.ownerId}::uuid, campaign_id = ${c.campaignId}::uuid, enrichment = ${jsonOrNull(c.enrichment)}::jsonb,
        activity_count = ${c.activityCount}, version = ${c.version}, created_at = ${c.createdAt}::timestamptz,
        updated_at = ${c.updatedAt}::timestamptz, converted_at = ${c.convertedAt}::timestamptz
      WHERE tenant_id = ${this.tenantId}::uuid AND id = ${lead.id}::uuid AND version = ${loadedVersion}`;
    if (updated !== 1) {
      const current = await this.db.$queryRaw<{ version: number }[]>`
        SELECT version FROM lead WHERE tenant_id = ${this.tenantId}::uuid AND id = ${lead.id}::uuid`;
      throw new VersionConflictError(loadedVersion, current[0]?.version ?? loadedVersion);
    }
    await this.insertNewActivities(lead);
    await this.saveActivityCorrections(lead);
  }

  async findActivity(leadId: string, activityId: string): Promise<Activity | null> {
    const rows = await this.db.$queryRaw<(Omit<Activity, "type"> & { type: string })[]>`
      SELECT id, lead_id AS "leadId", type, summary, occurred_at AS "occurredAt", actor_id AS "actorId",
        created_at AS "createdAt", edited_at AS "editedAt"
      FROM activity WHERE tenant_id = ${this.tenantId}::uuid AND lead_id = ${leadId}::uuid AND id = ${activityId}::uuid`;
    return rows[0] ? Object.freeze({ ...rows[0], type: rows[0].type as ActivityType }) : null;
  }

  async remove(lead: Lead): Promise<void> {
    // Activities go with the lead through the foreign key's ON DELETE CASCADE.
    await this.db.$executeRaw`DELETE FROM lead WHERE tenant_id = ${this.tenantId}::uuid AND id = ${lead.id}::uuid`;
    // Stored idempotent answers that name the lead go with it (erasure, docs/domain.md, increment 2b).
    await idempotencyRecords.eraseNamingLead(this.db, this.tenantId, lead.id);
  }

  /** Corrected and removed activities: one statement each, rarely more than one activity. */
  private async saveActivityCorrections(lead: Lead): Promise<void> {
    for (const a of lead.pullEditedActivities()) {
      await this.db.$executeRaw`
        UPDATE activity SET type = ${a.type}, summary = ${a.summary}, occurred_at = ${a.occurredAt}::timestamptz,
          edited_at = ${a.editedAt}::timestamptz
        WHERE tenant_id = ${this.tenantId}::uuid AND lead_id = ${a.leadId}::uuid AND id = ${a.id}::uuid`;
    }
    const removed = lead.pullRemovedActivities().map((a) => a.id);
    if (removed.length > 0) {
      await this.db.$executeRaw`
        DELETE FROM activity WHERE tenant_id = ${this.tenantId}::uuid AND lead_id = ${lead.id}::uuid AND id = ANY(${removed}::uuid[])`;
    }
  }

  // Bulk import and merge.

  async addAll(leads: readonly Lead[]): Promise<Set<string>> {
    if (leads.length === 0) return new Set();
    // One statement for the whole batch: the rows travel as one JSON array
    // (no parameter limit, no statement text growing with the batch), and
    // ON CONFLICT on the (tenant_id, email) unique index leaves out an address
    // another transaction holds: it waits for that transaction, so a racing
    // import or capture never makes a second lead with the same email. Rows go
    // in in address order: two imports sharing addresses then wait for each
    // other in one direction only, never in a cycle (a deadlock otherwise).
    const rows = leads.map((lead) => {
      const c = leadColumnsFromState(lead.state);
      return { ...c, id: lead.id, enrichment: c.enrichment ?? null };
    });
    const inserted = await this.db.$queryRaw<{ id: string }[]>`
      INSERT INTO lead (tenant_id, id, name, email, phone, company, source, status, score, estimated_value_minor,
        estimated_value_currency, tags, lost_reason, owner_id, campaign_id, enrichment, activity_count, version,
        created_at, updated_at, converted_at)
      SELECT ${this.tenantId}::uuid, r.id, r.name, r.email, r.phone, r.company, r.source, r.status, r.score, r."estimatedValueMinor",
        r."estimatedValueCurrency", r.tags, r."lostReason", r."ownerId", r."campaignId", r.enrichment, r."activityCount", r.version,
        r."createdAt", r."updatedAt", r."convertedAt"
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id uuid, name text, email text, phone text, company text,
        source text, status text, score int, "estimatedValueMinor" int, "estimatedValueCurrency" text, tags text[],
        "lostReason" text, "ownerId" uuid, "campaignId" uuid, enrichment jsonb, "activityCount" int, version int,
        "createdAt" timestamptz, "updatedAt" timestamptz, "convertedAt" timestamptz)
      ORDER BY r.email
      ON CONFLICT (tenant_id, email) DO NOTHING
      RETURNING id`;
    return new Set(inserted.map((row) => row.id));
  }

  async findIdsByEmails(emails: readonly string[]): Promise<Map<string, string>> {
    if (emails.length === 0) return new Map();
    const found = await this.db.$queryRaw<{ id: string; email: string }[]>`
      SELECT id, email FROM lead WHERE tenant_id = ${this.tenantId}::uuid AND email = ANY(${[...emails]}::text[])`;
    return new Map(found.map((row) => [row.email, row.id]));
  }

  async moveActivities(from: Lead, to: Lead): Promise<number> {
    return this.db.$executeRaw`
      UPDATE activity SET lead_id = ${to.id}::uuid
      WHERE tenant_id = ${this.tenantId}::uuid AND lead_id = ${from.id}::uuid`;
  }


  private async insertNewActivities(lead: Lead): Promise<void> {
    const activities = lead.pullNewActivities();
    if (activities.length === 0) return;
    const rows = activities.map(
      (a) =>
        Prisma.sql`(${this.tenantId}::uuid, ${a.id}::uuid, ${a.leadId}::uuid, ${a.type}, ${a.summary}, ${a.occurredAt}::timestamptz, ${a.actorId}::uuid, ${a.createdAt}::timestamptz)`,
    );
    await this.db.$executeRaw`
      INSERT INTO activity (tenant_id, id, lead_id, type, summary, occurred_at, actor_id, created_at)
      VALUES ${Prisma.join(rows)}`;
  }
}
