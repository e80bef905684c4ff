import type { LeadView } from "../../application/lead-view";
import type { TenantTransaction, UnitOfWork } from "../../application/unit-of-work";
import type { LeadEvent } from "../../domain/lead/events";
import type { Lead } from "../../domain/lead/lead";
import type { OneStatementTransaction } from "./one-statement-writes";
import { PrismaEventOutbox } from "./prisma-event-outbox";
import { PrismaLeadRepository } from "./prisma-lead-repository";
import { insertNewLeadWithEvents } from "./prisma-new-lead";
import { requestTransactionFor } from "./request-transaction";
import type { TenantDb, TenantScopedPrisma } from "./tenant-db";

/** Called after each commit and awaited before the command returns: the query cache moves the tenant's generation on, the outbox relay looks at once. */
export type AfterCommit = (eventsWritten: number, tenantId: string, eventIds: readonly string[]) => void | Promise<void>;

/**
 * One tenant transaction per command, with the repository and outbox bound to
 * it; inside a request transaction (Idempotency-Key), a savepoint of that one.
 */
export class PrismaUnitOfWork implements UnitOfWork {
  constructor(
    private readonly prisma: TenantScopedPrisma,
    /** A new lead's one statement runs here, outside Prisma's interactive transactions. */
    private readonly oneStatement: OneStatementTransaction,
    private readonly afterCommit: AfterCommit = () => {},
  ) {}

  async run<T>(tenantId: string, work: (tx: TenantTransaction) => Promise<T>): Promise<T> {
    const request = requestTransactionFor(tenantId);
    if (request) {
      // The request commits (and pokes the relay) once, after its answer is stored.
      return request.step(async (db) => {
        const { result, outbox } = await this.inTransaction(db, tenantId, work);
        request.eventsWritten += outbox.appended;
        return result;
      });
    }
    const { result, outbox } = await this.prisma.inTenant(tenantId, (db) => this.inTransaction(db, tenantId, work));
    await this.afterCommit(outbox.appended, tenantId, outbox.eventIds);
    return result;
  }

  async addNewLead(tenantId: string, lead: Lead, events: LeadEvent[], leadAfter: LeadView): Promise<void> {
    const request = requestTransactionFor(tenantId);
    if (request) {
      return request.step(async (db) => {
        request.eventsWritten += await insertNewLeadWithEvents((statement) => db.$queryRaw(statement), tenantId, lead, events, leadAfter);
      });
    }
    const written = await insertNewLeadWithEvents((statement) => this.oneStatement(tenantId, statement), tenantId, lead, events, leadAfter);
    await this.afterCommit(written, tenantId, events.map((event) => event.eventId));
  }

  private async inTransaction<T>(db: TenantDb, tenantId: string, work: (tx: TenantTransaction) => Promise<T>) {
    const outbox = new PrismaEventOutbox(db, tenantId);
    const result = await work({ leads: new PrismaLeadRepository(db, tenantId), outbox });
    return { result, outbox };
  }
}
