import pg from "pg";

/**
 * What pg's Query does with the wire that its type declarations leave out:
 * `prepare` sends Parse/Bind/Describe/Execute/Sync (corked: one socket write),
 * the handlers receive the backend's answers.
 */
interface WireConnection {
  parse(config: { text: string; name?: string }): void;
  bind(config: { portal: string; statement: string; values: unknown[] }): void;
  execute(config: { portal: string; rows: number }): void;
}
interface QueryInternals {
  name?: string;
  prepare(connection: WireConnection): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: WireConnection): void;
}

/**
 * Makes the statement's implicit transaction this tenant's (and, for a read,
 * read-only). The settings are transaction-local: they end with the Sync
 * below, so a pooled connection never carries them into other work.
 */
const SCOPE_TEXT = {
  read: "SELECT set_config('app.current_tenant_id', $1, true), set_config('transaction_read_only', 'on', true)",
  write: "SELECT set_config('app.current_tenant_id', $1, true)",
};

/** A read refuses writes; a write statement (captureLead's, src/infrastructure/prisma/one-statement-writes.ts) may write. */
export type StatementAccess = keyof typeof SCOPE_TEXT;

/**
 * A statement that runs in a transaction of its own, with the tenant set
 * (and, for a read, writes refused), in ONE round trip: the setting and the statement travel
 * in one extended-protocol pipeline closed by one Sync, which PostgreSQL runs
 * as one implicit transaction (committed, or rolled back on error, at the
 * Sync). No BEGIN, no COMMIT, no connection ever left inside a transaction
 * between round trips. Measured in bench/: the detail page went from three
 * round trips (BEGIN and the setting, the statement, COMMIT) to one.
 *
 * The setting is sent as an unnamed statement, so pg's bookkeeping of named
 * ones is untouched: a named statement's Parse goes first (its ParseComplete
 * is the one pg records), an unnamed one's after the setting has run.
 */
export class TenantScopedQuery extends (pg.Query as unknown as new (config: pg.QueryConfig) => pg.Query & QueryInternals) {
  /** The setting's DataRow and CommandComplete arrive first and are not part of the answer. */
  private scopeAnswered = false;

  constructor(
    config: pg.QueryConfig & { types?: unknown },
    private readonly tenantId: string,
    private readonly access: StatementAccess = "read",
  ) {
    // Always the extended protocol: the pipeline is what makes it one round trip.
    super({ ...config, values: config.values ?? [], queryMode: "extended" } as pg.QueryConfig);
  }

  override prepare(connection: WireConnection & { parsedStatements: Record<string, string> }): void {
    const named = this.name !== undefined && this.name !== "";
    if (named && connection.parsedStatements[this.name!] === undefined) {
      // Parsed ahead of the setting's unnamed statement; pg's prepare sees it parsed and only binds it.
      connection.parse({ text: (this as unknown as { text: string }).text, name: this.name });
      (connection as unknown as { submittedNamedStatements: Record<string, string> }).submittedNamedStatements[this.name!] = (
        this as unknown as { text: string }
      ).text;
    }
    connection.parse({ text: SCOPE_TEXT[this.access], name: "" });
    connection.bind({ portal: "", statement: "", values: [this.tenantId] });
    connection.execute({ portal: "", rows: 0 });
    super.prepare(connection);
  }

  override handleDataRow(message: unknown): void {
    if (this.scopeAnswered) super.handleDataRow(message);
  }

  override handleCommandComplete(message: unknown, connection: WireConnection): void {
    if (!this.scopeAnswered) {
      this.scopeAnswered = true;
      return;
    }
    super.handleCommandComplete(message, connection);
  }
}
