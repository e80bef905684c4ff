import type { TenantTransaction, UnitOfWork } from "../../application/unit-of-work";
import { PrismaEventOutbox } from "./prisma-event-outbox";
import { PrismaLeadRepository } from "./prisma-lead-repository";
import type { TenantScopedPrisma } from "./tenant-db";

/** One tenant transaction per command, with the repository and outbox bound to it. */
export class PrismaUnitOfWork implements UnitOfWork {
  constructor(private readonly prisma: TenantScopedPrisma) {}

  run<T>(tenantId: string, work: (tx: TenantTransaction) => Promise<T>): Promise<T> {
    return this.prisma.inTenant(tenantId, (db) =>
      work({
        leads: new PrismaLeadRepository(db, tenantId),
        outbox: new PrismaEventOutbox(db, tenantId),
      }),
    );
  }
}
