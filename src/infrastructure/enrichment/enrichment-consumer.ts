import { SpanKind, type Tracer } from "@opentelemetry/api";
import type { RedisClient } from "../redis/redis-connection";
import { contextFromTraceparent, inSpan } from "../tracing/spans";
import type { CommandDeps } from "../../application/commands/command-deps";
import { recordCompanyProfile } from "../../application/commands/record-company-profile";
import type { Logger } from "../logger";
import { streamOf } from "../outbox/redis-event-publisher";
import { EnrichmentUnavailableError, type CompanyDirectoryClient } from "./company-directory-client";
import { isFreeMailDomain } from "../../domain/lead/free-mail-domains";

export const ENRICHMENT_GROUP = "crm-enrichment";
export const DEAD_LETTER_STREAM = "events:dead-letter";
const SOURCE_STREAM = streamOf("LeadCaptured");
const HANDLED_TTL_SECONDS = 7 * 24 * 3600;

type StreamEntry = [id: string, fields: string[]];

function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return fields;
}

/**
 * Consumes LeadCaptured from its stream in the `crm-enrichment` group: looks
 * the email's company up and records the profile on the lead. A message is
 * acknowledged only once handled (enriched, nothing found, skipped, or parked
 * on the dead-letter stream); redeliveries are recognised by event_id.
 */
export class EnrichmentConsumer {
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly directory: CompanyDirectoryClient,
    private readonly commands: CommandDeps,
    private readonly logger: Logger,
    private readonly consumerName: string,
    private readonly blockMs = 1000,
    /** Counts each message parked on the dead-letter stream (an alert watches it grow). */
    private readonly onDeadLettered: () => void = () => {},
    /** With tracing on: a span per message, continuing the trace its stream entry carries. */
    private readonly tracer?: Tracer,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let groupReady = false;
    let backlog = true; // first our own unacknowledged messages (a crash before XACK), then new ones
    while (this.running) {
      try {
        if (!groupReady) groupReady = await this.ensureGroup();
        const reply = (await this.redis.xreadgroup(
          "GROUP", ENRICHMENT_GROUP, this.consumerName, "COUNT", 10, "BLOCK", this.blockMs, "STREAMS", SOURCE_STREAM, backlog ? "0" : ">",
        )) as [string, StreamEntry[]][] | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (backlog && entries.length === 0) backlog = false;
        for (const [id, flat] of entries) await this.handleTraced(id, fieldsOf(flat));
      } catch (error) {
        this.logger.warn({ err: error }, "enrichment consumer: will retry");
        backlog = true;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private async ensureGroup(): Promise<boolean> {
    try {
      await this.redis.xgroup("CREATE", SOURCE_STREAM, ENRICHMENT_GROUP, "$", "MKSTREAM");
    } catch (error) {
      if (!String(error).includes("BUSYGROUP")) throw error;
    }
    return true;
  }

  /**
   * The message's handling as a span in the trace of the request that
   * captured the lead (its `traceparent` field): the lookup, the recorded
   * profile and its own events follow in that trace. Idle polls make none.
   */
  private handleTraced(id: string, fields: Record<string, string>): Promise<void> {
    if (!this.tracer) return this.handle(id, fields);
    return inSpan(
      this.tracer,
      `process ${SOURCE_STREAM}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "redis",
          "messaging.operation.type": "process",
          "messaging.destination.name": SOURCE_STREAM,
          "messaging.consumer.group.name": ENRICHMENT_GROUP,
          "messaging.message.id": id,
        },
      },
      () => this.handle(id, fields),
      contextFromTraceparent(fields.traceparent),
    );
  }

  private async handle(id: string, fields: Record<string, string>): Promise<void> {
    const handledKey = `${ENRICHMENT_GROUP}:handled:${fields.event_id}`;
    if (!(await this.command("EXISTS", () => this.redis.exists(handledKey)))) {
      await this.enrich(id, fields);
      await this.command("SET", () => this.redis.set(handledKey, id, "EX", HANDLED_TTL_SECONDS));
    }
    await this.command("XACK", () => this.redis.xack(SOURCE_STREAM, ENRICHMENT_GROUP, id));
  }

  /** A Redis command of the message's handling, as a span when traced (its name, never its keys or values). */
  private command<T>(name: string, send: () => Promise<T>): Promise<T> {
    if (!this.tracer) return send();
    return inSpan(this.tracer, name, { kind: SpanKind.CLIENT, attributes: { "db.system.name": "redis", "db.operation.name": name } }, send);
  }

  private async enrich(id: string, fields: Record<string, string>): Promise<void> {
    let email: unknown;
    try {
      email = (JSON.parse(fields.data ?? "{}") as { email?: unknown }).email;
    } catch {
      email = undefined;
    }
    const domain = typeof email === "string" ? email.slice(email.lastIndexOf("@") + 1) : "";
    if (!domain || isFreeMailDomain(domain)) return;
    try {
      const profile = await this.directory.lookup(domain);
      if (!profile) return;
      await recordCompanyProfile(this.commands, { tenantId: fields.tenant_id, userId: null }, { leadId: fields.aggregate_id, profile });
    } catch (error) {
      if (!(error instanceof EnrichmentUnavailableError)) throw error;
      await this.command("XADD", () =>
        this.redis.xadd(
          DEAD_LETTER_STREAM, "*",
          "source_stream", SOURCE_STREAM, "source_id", id, "group", ENRICHMENT_GROUP, "error", error.message,
          ...Object.entries(fields).flat(),
        ),
      );
      this.onDeadLettered();
      this.logger.warn({ eventId: fields.event_id, domain }, "enrichment parked on the dead-letter stream");
    }
  }
}
