import type { TenantTransaction, UnitOfWork } from "../../application/unit-of-work";
import { PrismaEventOutbox } from "./prisma-event-outbox";
import { PrismaLeadRepository } from "./prisma-lead-repository";
import { insertNewLeadWithEvents } from "./prisma-new-lead";
import { requestTransactionFor } from "./request-transaction";
import type { TenantDb, TenantScopedPrisma } from "./tenant-db";

/**
 * One tenant transaction per command, with the repository and outbox bound to
 * it; inside a request transaction (Idempotency-Key), a savepoint of that one.
 */
export class PrismaUnitOfWork implements UnitOfWork {
  constructor(
    private readonly prisma: TenantScopedPrisma,
    /**
     * Called after each commit and awaited before the command returns: the query
     * cache moves the tenant's generation on, the outbox relay looks at once.
     */
    private readonly afterCommit: (eventsWritten: number, tenantId: string, eventIds: readonly string[]) => void | Promise<void> = () => {},
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

  private async inTransaction<T>(db: TenantDb, tenantId: string, work: (tx: TenantTransaction) => Promise<T>) {
    const outbox = new PrismaEventOutbox(db, tenantId);
    const result = await work({
      leads: new PrismaLeadRepository(db, tenantId),
      outbox,
      addNewLead: async (lead, events, leadAfter) => {
        outbox.appended += await insertNewLeadWithEvents(db, tenantId, lead, events, leadAfter);
      },
    });
    return { result, outbox };
  }
}
