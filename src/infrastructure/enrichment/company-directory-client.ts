import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from "@opentelemetry/api";
import type { CompanyProfile } from "../../domain/lead/company-profile";
import { injectTraceHeaders, markFailed } from "../tracing/spans";

export interface CompanyDirectoryOptions {
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
  /** Tries per lookup (docs/domain.md: 5), with exponential backoff between them. */
  attempts?: number;
  backoffBaseMs?: number;
  /** Cap on a Retry-After wait, so one answer cannot park the consumer for hours. */
  maxRetryAfterMs?: number;
  /** With tracing on: a span per HTTP attempt, its `traceparent` sent to the directory. */
  tracer?: Tracer;
}

/** The directory could not be reached after every try (timeouts, 5xx, 429): park the message. */
export class EnrichmentUnavailableError extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function profileOf(domain: string, body: unknown): CompanyProfile {
  const data = (body ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim().slice(0, 200) : null);
  const count = data.employeeCount;
  return {
    domain,
    name: text(data.name),
    employeeCount: typeof count === "number" && Number.isInteger(count) && count >= 0 ? count : null,
    industry: text(data.industry),
  };
}

/**
 * The company enrichment service's HTTP adapter:
 * GET {baseUrl}/companies/{domain} -> the profile, null on 404.
 */
export class CompanyDirectoryClient {
  private readonly attempts: number;
  private readonly backoffBaseMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly options: CompanyDirectoryOptions) {
    this.attempts = options.attempts ?? 5;
    this.backoffBaseMs = options.backoffBaseMs ?? 250;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  }

  async lookup(domain: string): Promise<CompanyProfile | null> {
    const url = `${this.options.baseUrl.replace(/\/$/, "")}/companies/${encodeURIComponent(domain)}`;
    let lastProblem = "no attempt made";
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      let wait = this.backoffBaseMs * 2 ** (attempt - 1);
      try {
        const headers = { accept: "application/json", ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) };
        const response = this.options.tracer
          ? await this.tracedGet(this.options.tracer, url, headers, attempt)
          : await fetch(url, { headers, signal: AbortSignal.timeout(this.options.timeoutMs) });
        if (response.status === 200) return profileOf(domain, await response.json());
        if (response.status === 404) return null;
        await response.body?.cancel();
        lastProblem = `HTTP ${response.status}`;
        if (response.status === 429) wait = Math.min(retryAfterMs(response.headers.get("retry-after")) ?? wait, this.maxRetryAfterMs);
        else if (response.status < 500) throw new EnrichmentUnavailableError(`company directory refused ${domain}: HTTP ${response.status}`);
      } catch (error) {
        if (error instanceof EnrichmentUnavailableError) throw error;
        lastProblem = error instanceof Error && error.name === "TimeoutError" ? "timed out" : String(error);
      }
      if (attempt < this.attempts) await sleep(wait);
    }
    throw new EnrichmentUnavailableError(`company directory unavailable for ${domain} after ${this.attempts} tries: ${lastProblem}`);
  }

  /** The attempt as a client span whose `traceparent` goes with the request. */
  private async tracedGet(tracer: Tracer, url: string, given: Record<string, string>, attempt: number): Promise<Response> {
    const span = this.startSpan(tracer, url, attempt);
    const headers = { ...given };
    injectTraceHeaders(headers, trace.setSpan(context.active(), span));
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(this.options.timeoutMs) });
      span.setAttribute("http.response.status_code", response.status);
      if (response.status >= 400 && response.status !== 404) {
        span.setAttribute("error.type", String(response.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return response;
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * The attempt's client span. The path's template, not the path: the domain
   * comes from a lead's email address.
   */
  private startSpan(tracer: Tracer, url: string, attempt: number): Span {
    const target = new URL(url);
    return tracer.startSpan("GET", {
      kind: SpanKind.CLIENT,
      attributes: {
        "http.request.method": "GET",
        "server.address": target.hostname,
        "server.port": Number(target.port || (target.protocol === "https:" ? 443 : 80)),
        "url.template": "/companies/{domain}",
        ...(attempt > 1 ? { "http.request.resend_count": attempt - 1 } : {}),
      },
    });
  }
}
