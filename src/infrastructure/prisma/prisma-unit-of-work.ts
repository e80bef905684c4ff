import type { TenantTransaction, UnitOfWork } from "../../application/unit-of-work";
import { PrismaEventOutbox } from "./prisma-event-outbox";
import { PrismaLeadRepository } from "./prisma-lead-repository";
import type { TenantScopedPrisma } from "./tenant-db";

/** One tenant transaction per command, with the repository and outbox bound to it. */
export class PrismaUnitOfWork implements UnitOfWork {
  constructor(
    private readonly prisma: TenantScopedPrisma,
    /** Called after each commit: the outbox relay looks at once instead of at its next poll. */
    private readonly afterCommit: (eventsWritten: number) => void = () => {},
  ) {}

  async run<T>(tenantId: string, work: (tx: TenantTransaction) => Promise<T>): Promise<T> {
    let outbox: PrismaEventOutbox | null = null;
    const result = await this.prisma.inTenant(tenantId, (db) => {
      outbox = new PrismaEventOutbox(db, tenantId);
      return work({ leads: new PrismaLeadRepository(db, tenantId), outbox });
    });
    this.afterCommit((outbox as PrismaEventOutbox | null)?.appended ?? 0);
    return result;
  }
}
