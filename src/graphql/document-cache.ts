import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from "graphql";

/** A document's text, parsed and validated once: the AST, or why it was refused. */
export type CheckedDocument =
  | { document: DocumentNode; syntaxError?: undefined; validationErrors?: undefined }
  | { document?: undefined; syntaxError: GraphQLError | undefined; validationErrors?: undefined }
  | { document: DocumentNode; syntaxError?: undefined; validationErrors: readonly GraphQLError[] };

export interface DocumentCacheLimits {
  /** Documents kept at most (least recently used dropped first). */
  maxEntries: number;
  /** Characters of document text kept at most, all entries together. */
  maxTotalChars: number;
  /** A longer document is checked every time, never kept. */
  maxDocumentChars: number;
}

export const DEFAULT_DOCUMENT_CACHE_LIMITS: DocumentCacheLimits = { maxEntries: 1_000, maxTotalChars: 4_000_000, maxDocumentChars: 64_000 };

/**
 * Parse and validate per document text, not per request: clients send the
 * same few documents over and over (values travel as variables). The answer
 * for a text never changes (same schema, same rules), so refusals are kept
 * too. Bounded in entries and characters; LRU (a Map keeps insertion order:
 * a hit is moved to the end, the oldest goes first).
 */
export class DocumentCache {
  private readonly entries = new Map<string, CheckedDocument>();
  private totalChars = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: readonly ValidationRule[],
    private readonly limits: DocumentCacheLimits = DEFAULT_DOCUMENT_CACHE_LIMITS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  check(text: string): CheckedDocument {
    const known = this.entries.get(text);
    if (known) {
      this.entries.delete(text);
      this.entries.set(text, known);
      return known;
    }
    const checked = this.checkAfresh(text);
    if (text.length <= this.limits.maxDocumentChars) {
      this.entries.set(text, checked);
      this.totalChars += text.length;
      for (const [oldest] of this.entries) {
        if (this.entries.size <= this.limits.maxEntries && this.totalChars <= this.limits.maxTotalChars) break;
        this.entries.delete(oldest);
        this.totalChars -= oldest.length;
      }
    }
    return checked;
  }

  private checkAfresh(text: string): CheckedDocument {
    let document: DocumentNode;
    try {
      document = parse(text);
    } catch (error) {
      if (error instanceof GraphQLError) return { syntaxError: error };
      return { syntaxError: undefined };
    }
    const invalid = validate(this.schema, document, this.rules);
    return invalid.length ? { document, validationErrors: invalid } : { document };
  }
}
