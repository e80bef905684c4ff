/**
 * Every `extensions.code` a client can see, in one place: the error formatter lets through
 * the ones marked `formatted` (anything else from a resolver is masked), and the API
 * reference's error page (docs/api/errors.md, `npm run docs:api`) is generated from this
 * list. tests/api/error-codes.test.ts fails when the code raises a code missing here.
 * The rules behind each are in docs/domain.md (Errors).
 */
export interface ErrorCodeEntry {
  code: string;
  /** The HTTP status of the answer that carries it, or how it reaches a subscriber. */
  http: string;
  when: string;
  /** The other `extensions` it comes with. */
  extensions: string[];
  /** Passes the GraphQL error formatter as it is; false: answered before GraphQL runs, or the mask itself. */
  formatted: boolean;
}

export const ERROR_CODES: readonly ErrorCodeEntry[] = [
  {
    code: "UNAUTHENTICATED",
    http: "200",
    when: "No token, or one that is expired, not yet valid, badly signed, of another issuer or audience, or whose sub or tenant_id is missing or not a UUID.",
    extensions: [],
    formatted: true,
  },
  {
    code: "FORBIDDEN",
    http: "200",
    when: "A valid token whose roles do not allow the operation (or name no known role); changing an activity someone else logged, unless an admin.",
    extensions: [],
    formatted: true,
  },
  {
    code: "BAD_USER_INPUT",
    http: "200 (400 for a bad variable)",
    when: "A value breaks a rule of docs/domain.md (Values, paging, cursors).",
    extensions: ["field"],
    formatted: true,
  },
  { code: "NOT_FOUND", http: "200", when: "No such lead (or activity on it) in the caller's tenant.", extensions: [], formatted: true },
  {
    code: "CONFLICT",
    http: "200",
    when: "expectedVersion differs from the lead's stored version; nothing changed.",
    extensions: ["actualVersion"],
    formatted: true,
  },
  {
    code: "LEAD_ALREADY_EXISTS",
    http: "200",
    when: "Another lead of the tenant has this email address.",
    extensions: ["existingLeadId"],
    formatted: true,
  },
  {
    code: "INVALID_TRANSITION",
    http: "200",
    when: "A status move the pipeline does not allow, or a refused change of a CONVERTED lead.",
    extensions: ["from", "to"],
    formatted: true,
  },
  { code: "GRAPHQL_PARSE_FAILED", http: "400", when: "The document is not GraphQL.", extensions: [], formatted: true },
  {
    code: "GRAPHQL_VALIDATION_FAILED",
    http: "400",
    when: "The document does not validate against this schema (unknown field, wrong argument type, an inline value out of range).",
    extensions: [],
    formatted: true,
  },
  {
    code: "QUERY_TOO_COMPLEX",
    http: "400",
    when: "The query asks for too much: too deep, too many aliases, selections or fragment spreads, or too costly by its list sizes.",
    extensions: [],
    formatted: true,
  },
  {
    code: "BAD_REQUEST",
    http: "400",
    when: "Not a GraphQL request (no query, variables not an object, unreadable body), an invalid Idempotency-Key, or a query or mutation sent over the subscription socket.",
    extensions: [],
    formatted: true,
  },
  { code: "PERSISTED_QUERY_NOT_FOUND", http: "200", when: "Apollo's automatic persisted queries: the hash is not known; send the document.", extensions: [], formatted: true },
  { code: "PERSISTED_QUERY_NOT_SUPPORTED", http: "200", when: "Apollo's automatic persisted queries are not supported here.", extensions: [], formatted: true },
  {
    code: "OPERATION_RESOLUTION_FAILURE",
    http: "400",
    when: "The document has several operations and operationName names none of them (or is missing).",
    extensions: [],
    formatted: true,
  },
  {
    code: "RESUME_POINT_UNKNOWN",
    http: "subscription error",
    when: "leadEvents(after:) from an event that is unknown, another tenant's, malformed or older than the replay window: reload instead.",
    extensions: [],
    formatted: true,
  },
  {
    code: "RESUME_WINDOW_EXCEEDED",
    http: "subscription error",
    when: "leadEvents(after:) would replay more than EVENT_REPLAY_LIMIT events: reload instead.",
    extensions: [],
    formatted: true,
  },
  {
    code: "SERVICE_OVERLOADED",
    http: "503 (over graphql-ws: the error that ends a leadEvents(after:) resume)",
    when: "The instance cannot take more work now: its wait queue for the database is full, or the wait would exceed its bound. Nothing ran; Retry-After (seconds) and retryAfterMs say when to retry.",
    extensions: ["retryAfterMs"],
    formatted: true,
  },
  {
    code: "IDEMPOTENCY_KEY_REUSED",
    http: "422",
    when: "The Idempotency-Key was used with another body (document, operationName, variables); nothing ran.",
    extensions: [],
    formatted: false,
  },
  {
    code: "IDEMPOTENCY_KEY_IN_USE",
    http: "409",
    when: "A request with this Idempotency-Key is still running; retry later.",
    extensions: [],
    formatted: false,
  },
  {
    code: "RATE_LIMITED",
    http: "429",
    when: "The tenant is over its request budget (Retry-After says when to retry), or over its cap of open subscriptions.",
    extensions: ["retryAfterMs"],
    formatted: false,
  },
  {
    code: "INTERNAL_SERVER_ERROR",
    http: "200 (500 outside GraphQL)",
    when: "Anything unexpected: masked, no stack, SQL or path reaches the client; the cause is in the log.",
    extensions: [],
    formatted: false,
  },
];
