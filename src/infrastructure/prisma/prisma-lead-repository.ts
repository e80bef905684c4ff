import type { Email } from "../../domain/lead/email";
import { Lead } from "../../domain/lead/lead";
import type { LeadRepository } from "../../domain/lead/lead-repository";
import { VersionConflictError } from "../../domain/shared/domain-error";
import { Prisma } from "./generated/client";
import { LEAD_COLUMNS, leadColumnsFromState, leadStateFromRow, type LeadRow } from "./lead-row-mapper";
import type { TenantDb } from "./tenant-db";

/** The lead repository over one tenant transaction. Every statement names the tenant. */
export class PrismaLeadRepository implements LeadRepository {
  constructor(
    private readonly db: TenantDb,
    private readonly tenantId: string,
  ) {}

  async findForUpdate(leadId: string): Promise<Lead | null> {
    // FOR UPDATE: concurrent commands on one lead run one after another
    // instead of failing on each other's version (RULES: none is lost).
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
    const found = await this.db.lead.findUnique({
      where: { tenantId_email: { tenantId: this.tenantId, email: email.value } },
      select: { id: true },
    });
    return found?.id ?? null;
  }

  async add(lead: Lead): Promise<void> {
    // The caller reserved the email through findIdByEmail; the unique index
    // (tenant_id, email) stays the guarantee behind it.
    await this.db.lead.create({ data: { tenantId: this.tenantId, id: lead.id, ...this.columns(lead) } });
    await this.insertNewActivities(lead);
  }

  async save(lead: Lead, loadedVersion: number): Promise<void> {
    const { count } = await this.db.lead.updateMany({
      where: { tenantId: this.tenantId, id: lead.id, version: loadedVersion },
      data: this.columns(lead),
    });
    if (count !== 1) {
      const current = await this.db.lead.findUnique({
        where: { tenantId_id: { tenantId: this.tenantId, id: lead.id } },
        select: { version: true },
      });
      throw new VersionConflictError(loadedVersion, current?.version ?? loadedVersion);
    }
    await this.insertNewActivities(lead);
  }

  async remove(lead: Lead): Promise<void> {
    // Activities go with the lead through the foreign key's ON DELETE CASCADE.
    await this.db.lead.deleteMany({ where: { tenantId: this.tenantId, id: lead.id } });
  }

  private columns(lead: Lead) {
    const columns = leadColumnsFromState(lead.state);
    return { ...columns, enrichment: columns.enrichment ?? Prisma.DbNull };
  }

  private async insertNewActivities(lead: Lead): Promise<void> {
    const activities = lead.pullNewActivities();
    if (activities.length === 0) return;
    await this.db.activity.createMany({
      data: activities.map((activity) => ({
        tenantId: this.tenantId,
        id: activity.id,
        leadId: activity.leadId,
        type: activity.type,
        summary: activity.summary,
        occurredAt: activity.occurredAt,
        actorId: activity.actorId,
        createdAt: activity.createdAt,
      })),
    });
  }
}
