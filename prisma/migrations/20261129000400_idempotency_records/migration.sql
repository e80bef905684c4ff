-- Idempotency keys (RULES "Increment 2b"): the answer to a mutation sent with
-- an Idempotency-Key, written in the same transaction as the mutation's own
-- writes, so a retry after a crash between commit and answer replays it.
-- Scope: tenant + user (the token's sub, any string) + key.
CREATE TABLE "idempotency_record" (
    "tenant_id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    -- sha256 (hex) of the request's document, operationName and variables.
    "request_hash" TEXT NOT NULL,
    "response_status" INTEGER NOT NULL,
    "response_body" TEXT NOT NULL,
    -- Every lead the stored answer names: erasing one of them removes the record.
    "lead_ids" UUID[] NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "idempotency_record_pkey" PRIMARY KEY ("tenant_id", "user_id", "key"),
    CONSTRAINT "idempotency_record_key_check" CHECK (length("key") BETWEEN 1 AND 255)
);

-- Erasure finds the records that name a lead without reading the tenant's others.
CREATE INDEX "idempotency_record_lead_ids_idx" ON "idempotency_record" USING GIN ("lead_ids");
-- The purge takes the oldest expired records first, in bounded batches.
CREATE INDEX "idempotency_record_expires_at_idx" ON "idempotency_record"("expires_at");

ALTER TABLE "idempotency_record" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "idempotency_record" FORCE ROW LEVEL SECURITY;
CREATE POLICY "idempotency_record_tenant_isolation" ON "idempotency_record"
    USING ("tenant_id" = NULLIF(current_setting('app.current_tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.current_tenant_id', true), '')::uuid);

-- The purge is a system task across tenants: like the relay, it reaches them
-- only through this SECURITY DEFINER function (owner policy below), removing
-- at most batch_size expired records per call.
CREATE POLICY "idempotency_record_purge_access" ON "idempotency_record" TO CURRENT_USER USING (true) WITH CHECK (true);

CREATE FUNCTION crm_purge_expired_idempotency_records(batch_size integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  purged integer;
BEGIN
  DELETE FROM "idempotency_record" r
  USING (
    SELECT tenant_id, user_id, key FROM "idempotency_record"
    WHERE expires_at <= now()
    ORDER BY expires_at
    LIMIT batch_size
    FOR UPDATE SKIP LOCKED
  ) expired
  WHERE r.tenant_id = expired.tenant_id AND r.user_id = expired.user_id AND r.key = expired.key;
  GET DIAGNOSTICS purged = ROW_COUNT;
  RETURN purged;
END;
$$;
