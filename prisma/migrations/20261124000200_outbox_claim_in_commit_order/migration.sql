-- crm_claim_outbox, corrected: leads are taken in commit order (the oldest
-- unpublished event first), not in id order, and the batch size bounds the
-- total claimed (it was overwritten per lead, so a backlog came out whole).
CREATE OR REPLACE FUNCTION crm_claim_outbox(batch_size integer)
RETURNS SETOF "outbox"
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  lead record;
  claimed integer := 0;
  taken integer;
BEGIN
  FOR lead IN
    SELECT o.tenant_id, o.aggregate_id, min(o.seq) AS first_seq
    FROM "outbox" o
    WHERE o.published_at IS NULL
    GROUP BY o.tenant_id, o.aggregate_id
    ORDER BY first_seq
  LOOP
    EXIT WHEN claimed >= batch_size;
    -- A lead another relay holds is skipped: its events stay in order with that relay.
    CONTINUE WHEN NOT pg_try_advisory_xact_lock(hashtextextended(lead.tenant_id::text || ':' || lead.aggregate_id::text, 7));
    RETURN QUERY
      SELECT o.* FROM "outbox" o
      WHERE o.tenant_id = lead.tenant_id AND o.aggregate_id = lead.aggregate_id AND o.published_at IS NULL
      ORDER BY o.seq
      LIMIT batch_size - claimed;
    GET DIAGNOSTICS taken = ROW_COUNT;
    claimed := claimed + taken;
  END LOOP;
  RETURN;
END;
$$;

REVOKE ALL ON FUNCTION crm_claim_outbox(integer) FROM PUBLIC;
