-- The W3C traceparent of the request that wrote the event (null when that
-- request was not traced): the outbox relay's publish continues that trace and
-- hands it to the stream entry, so capture -> relay -> stream -> enrichment is
-- one trace (docs/operations.md, "Tracing"). Identifiers only, no personal data.
-- crm_claim_outbox returns SETOF "outbox", so the relay receives it as it is.
ALTER TABLE "outbox" ADD COLUMN "traceparent" TEXT;
