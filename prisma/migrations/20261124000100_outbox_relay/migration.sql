-- The outbox relay is a system process: it publishes every tenant's events.
-- It reaches across tenants only through these SECURITY DEFINER functions,
-- owned by the migration owner; the runtime role gets EXECUTE on them and
-- nothing more, so its own queries stay fenced by row-level security.

-- FORCE ROW LEVEL SECURITY binds the owner too: this policy lets the owner
-- (and so the functions below, which run as the owner) see the whole outbox.
CREATE POLICY "outbox_relay_access" ON "outbox" TO CURRENT_USER USING (true) WITH CHECK (true);

-- Claims up to batch_size unpublished events in commit order, keeping order
-- per lead when several relays run: a relay takes a transaction-scoped
-- advisory lock per lead and skips leads another relay holds, so one lead's
-- events are never published by two relays at once or out of order. The
-- locks last until the relay's transaction ends (after marking).
CREATE FUNCTION crm_claim_outbox(batch_size integer)
RETURNS SETOF "outbox"
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  lead record;
  claimed integer := 0;
BEGIN
  FOR lead IN
    SELECT DISTINCT ON (o.tenant_id, o.aggregate_id) o.tenant_id, o.aggregate_id, o.seq
    FROM "outbox" o
    WHERE o.published_at IS NULL
    ORDER BY o.tenant_id, o.aggregate_id, o.seq
  LOOP
    EXIT WHEN claimed >= batch_size;
    CONTINUE WHEN NOT pg_try_advisory_xact_lock(hashtextextended(lead.tenant_id::text || ':' || lead.aggregate_id::text, 7));
    RETURN QUERY
      SELECT o.* FROM "outbox" o
      WHERE o.tenant_id = lead.tenant_id AND o.aggregate_id = lead.aggregate_id AND o.published_at IS NULL
      ORDER BY o.seq
      LIMIT batch_size - claimed;
    GET DIAGNOSTICS claimed = ROW_COUNT;
  END LOOP;
  RETURN;
END;
$$;

-- Marks events published; once a deleted lead's LeadDeleted is out, scrubs that
-- lead's personal data from its published rows (right to erasure): only ids,
-- versions and event types remain.
CREATE FUNCTION crm_mark_outbox_published(event_ids uuid[], tenant_ids uuid[])
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  marked integer;
BEGIN
  UPDATE "outbox" o SET published_at = now()
  FROM unnest(event_ids, tenant_ids) AS p(id, tenant_id)
  WHERE o.tenant_id = p.tenant_id AND o.id = p.id AND o.published_at IS NULL;
  GET DIAGNOSTICS marked = ROW_COUNT;

  UPDATE "outbox" o SET payload = '{}'::jsonb, lead_snapshot = NULL
  FROM (
    SELECT d.tenant_id, d.aggregate_id FROM "outbox" d
    JOIN unnest(event_ids, tenant_ids) AS p(id, tenant_id) ON d.tenant_id = p.tenant_id AND d.id = p.id
    WHERE d.event_type = 'LeadDeleted'
  ) deleted
  WHERE o.tenant_id = deleted.tenant_id AND o.aggregate_id = deleted.aggregate_id
    AND o.published_at IS NOT NULL AND (o.payload <> '{}'::jsonb OR o.lead_snapshot IS NOT NULL);
  RETURN marked;
END;
$$;

-- For metrics and alerts: how many events wait and how old the oldest is.
CREATE FUNCTION crm_outbox_backlog()
RETURNS TABLE (unpublished bigint, oldest_age_seconds double precision)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT count(*), coalesce(extract(epoch FROM now() - min(occurred_at))::double precision, 0)
  FROM "outbox" WHERE published_at IS NULL;
$$;

REVOKE ALL ON FUNCTION crm_claim_outbox(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION crm_mark_outbox_published(uuid[], uuid[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION crm_outbox_backlog() FROM PUBLIC;
