import { AsyncLocalStorage } from "node:async_hooks";
import type { TenantDb } from "./tenant-db";

/**
 * One tenant transaction that a whole HTTP request runs in (a mutation sent
 * with an Idempotency-Key): the commands and reads of the request join it, so
 * its writes and its stored answer commit together. Each step runs in a
 * SAVEPOINT, so a failed mutation field rolls back only its own writes, as it
 * would in a transaction of its own. Steps take turns: one connection runs one
 * statement at a time, and interleaved savepoints would release each other.
 */
export class RequestTransaction {
  /** Events the request's commands wrote, counted once the transaction commits. */
  eventsWritten = 0;
  private savepoints = 0;
  private turn: Promise<unknown> = Promise.resolve();
  private open = true;

  constructor(
    readonly db: TenantDb,
    readonly tenantId: string,
  ) {}

  /** False once the request's execution is over (its transaction commits next). */
  get isOpen(): boolean {
    return this.open;
  }

  step<T>(work: (db: TenantDb) => Promise<T>): Promise<T> {
    const result = this.turn.then(() => this.inSavepoint(work));
    this.turn = result.catch(() => {});
    return result;
  }

  close(): void {
    this.open = false;
  }

  private async inSavepoint<T>(work: (db: TenantDb) => Promise<T>): Promise<T> {
    const name = `crm_step_${++this.savepoints}`;
    await this.db.$executeRawUnsafe(`SAVEPOINT ${name}`);
    try {
      const result = await work(this.db);
      await this.db.$executeRawUnsafe(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await this.db.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    }
  }
}

const current = new AsyncLocalStorage<RequestTransaction>();

/** The request transaction the caller runs inside, if any, for `tenantId` only. */
export function requestTransactionFor(tenantId: string): RequestTransaction | undefined {
  const transaction = current.getStore();
  return transaction?.isOpen && transaction.tenantId === tenantId ? transaction : undefined;
}

/**
 * Runs `work` (a request's execution) inside `transaction`: what it calls
 * joins it. Work it leaves behind (a timer, a fire-and-forget call) that runs
 * after it has finished gets a transaction of its own, never the closed one.
 */
export async function withinRequestTransaction<T>(transaction: RequestTransaction, work: () => Promise<T>): Promise<T> {
  try {
    return await current.run(transaction, work);
  } finally {
    transaction.close();
  }
}
