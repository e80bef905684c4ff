import { aCapture, ASSIGN, CAPTURE, CONTACT, CONVERT, DELETE, LOSE, PIPELINE, QUALIFY, REOPEN, TAG } from "../api/operations";
import type { Client } from "pg";
import { withClient } from "../support/test-database";
import { dataOf, type Caller, type TestService } from "../support/test-service";

/** A key prefix of one test's own: nothing it stores meets another test's keys (or another run's). */
export const uniquePrefix = () => `test:cache:${crypto.randomUUID().slice(0, 12)}:`;

export const IMPORT = `mutation Import($input: ImportLeadsInput!) { importLeads(input: $input) { imported rows { status lead { id status owner { id } } } } }`;
export const MERGE = `mutation Merge($s: ID!, $d: ID!) { mergeLeads(survivorId: $s, duplicateId: $d) { id status owner { id } } }`;

export interface Summary {
  totalLeads: number;
  stages: { status: string; count: number; estimatedValue: { amountMinor: string; currency: string }[] }[];
}

/** pipelineSummary as the API answers it (every stage, values per currency). */
export async function summaryOf(caller: Caller, ownerId: string | null = null): Promise<Summary> {
  const { pipelineSummary } = dataOf(await caller.gql(PIPELINE, { ownerId }));
  return { totalLeads: pipelineSummary.totalLeads, stages: pipelineSummary.stages };
}

/** The same figures counted directly in PostgreSQL (as the superuser, past the service and its cache). */
export async function countedInSql(admin: string | Client, tenantId: string, ownerId: string | null = null): Promise<Summary> {
  const count = (client: Client) =>
    client.query<{ status: string; currency: string | null; n: number; amount: string | null }>(
      `SELECT status, trim(estimated_value_currency) AS currency, count(*)::int AS n, sum(estimated_value_minor)::text AS amount
       FROM lead WHERE tenant_id = $1 AND ($2::uuid IS NULL OR owner_id = $2::uuid)
       GROUP BY status, estimated_value_currency ORDER BY status, estimated_value_currency`,
      [tenantId, ownerId],
    );
  const { rows } = typeof admin === "string" ? await withClient(admin, count) : await count(admin);
  const stages = ["NEW", "CONTACTED", "QUALIFIED", "CONVERTED", "LOST"].map((status) => {
    const of = rows.filter((row) => row.status === status);
    return {
      status,
      count: of.reduce((sum, row) => sum + row.n, 0),
      estimatedValue: of.filter((row) => row.currency !== null && row.amount !== null).map((row) => ({ amountMinor: row.amount as string, currency: row.currency as string })),
    };
  });
  return { totalLeads: stages.reduce((sum, stage) => sum + stage.count, 0), stages };
}

/** A counter of crm_cache_lookups_total on one instance's /metrics. */
export async function lookups(service: TestService, result: "hit" | "miss" | "bypass", query = "pipelineSummary"): Promise<number> {
  const text = await (await fetch(service.url.replace(/\/graphql$/, "/metrics"))).text();
  const line = text.split("\n").find((l) => l.startsWith(`crm_cache_lookups_total{query="${query}",result="${result}"}`));
  return line ? Number(line.split(" ").pop()) : 0;
}

/**
 * One of the tenant's changes that matter to pipelineSummary, chosen in turn:
 * capture, import, assign, contact, qualify, convert, lose, reopen, delete,
 * merge, tag; each valid for the lead it picks (statuses tracked from the answers).
 */
export class ChangeMaker {
  /** Each lead's status, and whether it has an owner (qualifying needs one). */
  private readonly statuses = new Map<string, string>();
  private readonly owned = new Set<string>();
  private turn = 0;

  constructor(private readonly ownerId: string) {}

  async change(caller: Caller): Promise<string> {
    const kind = KINDS[this.turn++ % KINDS.length];
    const pick = (...statuses: string[]) => [...this.statuses].find(([, status]) => statuses.includes(status))?.[0];
    const keep = (lead: { id: string; status: string; owner: { id: string } | null }) => {
      this.statuses.set(lead.id, lead.status);
      if (lead.owner) this.owned.add(lead.id);
    };
    switch (kind) {
      case "import": {
        const result = dataOf(await caller.gql(IMPORT, { input: { leads: [aCapture({ source: "IMPORT" }), aCapture({ source: "IMPORT" })] } })).importLeads;
        for (const row of result.rows) keep(row.lead);
        return kind;
      }
      case "assign": {
        const id = pick("NEW", "CONTACTED", "QUALIFIED", "LOST");
        if (id) return keep(dataOf(await caller.gql(ASSIGN, { id, ownerId: this.ownerId })).assignLead), kind;
        break;
      }
      case "contact": {
        const id = pick("NEW");
        if (id) return keep(dataOf(await caller.gql(CONTACT, { id })).markLeadContacted), kind;
        break;
      }
      case "qualify": {
        const id = [...this.statuses].find(([lead, status]) => (status === "CONTACTED" || status === "NEW") && this.owned.has(lead))?.[0];
        if (id) return keep(dataOf(await caller.gql(QUALIFY, { id, value: { amountMinor: 1000 + this.turn, currency: this.turn % 2 ? "EUR" : "USD" } })).qualifyLead), kind;
        break;
      }
      case "convert": {
        const id = pick("QUALIFIED");
        if (id) return keep(dataOf(await caller.gql(CONVERT, { id })).convertLead), kind;
        break;
      }
      case "lose": {
        const id = pick("QUALIFIED", "CONTACTED", "NEW");
        if (id) return keep(dataOf(await caller.gql(LOSE, { id, reason: "no budget" })).markLeadLost), kind;
        break;
      }
      case "reopen": {
        const id = pick("LOST");
        if (id) return keep(dataOf(await caller.gql(REOPEN, { id })).reopenLead), kind;
        break;
      }
      case "delete": {
        const id = pick("CONVERTED", "LOST", "NEW");
        if (id && this.statuses.size > 4) {
          dataOf(await caller.gql(DELETE, { id }));
          this.statuses.delete(id);
          return kind;
        }
        break;
      }
      case "merge": {
        const [survivor, duplicate] = [...this.statuses].filter(([, status]) => status === "NEW").map(([id]) => id);
        if (survivor && duplicate) {
          keep(dataOf(await caller.gql(MERGE, { s: survivor, d: duplicate })).mergeLeads);
          this.statuses.delete(duplicate);
          return kind;
        }
        break;
      }
      case "tag": {
        const id = pick("NEW", "CONTACTED", "QUALIFIED", "CONVERTED", "LOST");
        if (id) return keep(dataOf(await caller.gql(TAG, { id, tags: [`t${this.turn}`] })).tagLead), kind;
        break;
      }
    }
    keep(dataOf(await caller.gql(CAPTURE, { input: aCapture() })).captureLead);
    return "capture";
  }
}

const KINDS = ["capture", "import", "assign", "contact", "qualify", "convert", "lose", "reopen", "delete", "merge", "assign", "qualify", "lose", "tag"] as const;
