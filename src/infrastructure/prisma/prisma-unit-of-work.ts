import type { TenantTransaction, UnitOfWork } from "../../application/unit-of-work";
import { PrismaEventOutbox } from "./prisma-event-outbox";
import { PrismaLeadRepository } from "./prisma-lead-repository";
import type { TenantScopedPrisma } from "./tenant-db";

/** One tenant transaction per command, with the repository and outbox bound to it. */
export class PrismaUnitOfWork implements UnitOfWork {
  constructor(
    private readonly prisma: TenantScopedPrisma,
    /** Called after each commit: the outbox relay looks at once instead of at its next poll. */
    private readonly afterCommit: () => void = () => {},
  ) {}

  async run<T>(tenantId: string, work: (tx: TenantTransaction) => Promise<T>): Promise<T> {
    const result = await this.prisma.inTenant(tenantId, (db) =>
      work({
        leads: new PrismaLeadRepository(db, tenantId),
        outbox: new PrismaEventOutbox(db, tenantId),
      }),
    );
    this.afterCommit();
    return result;
  }
}
