-- Increment 2b: the retained outbox is the lead's history and the replay
-- source of resumed subscriptions; each published event remembers its stream
-- entry, so erasure finds a lead's entries without scanning the streams.
--
-- Why the outbox and not a table of its own: every event is already written
-- there once, with its snapshot, in the command's transaction; a second table
-- would write each event twice. The relay's claim stays fast as history grows
-- because it reads only the partial index of unpublished rows
-- (outbox_unpublished_seq_idx): published history is not in it (bench/README.md).

-- The Redis stream entry id (XADD's answer) of a published event; NULL without Redis.
ALTER TABLE "outbox" ADD COLUMN "stream_id" TEXT;

-- Lead.history, newest first, and a resumed subscription's replay of one lead.
CREATE INDEX "outbox_tenant_id_aggregate_id_seq_idx" ON "outbox"("tenant_id", "aggregate_id", "seq");
-- A resumed subscription's replay: the tenant's events after a position, in commit order.
CREATE INDEX "outbox_tenant_id_seq_idx" ON "outbox"("tenant_id", "seq");

-- Marks events published as crm_mark_outbox_published does (which also
-- scrubs an erased lead's published rows to ids-only tombstones: positions stay
-- valid for resume), first recording each event's stream entry, and answers
-- the stream entries to remove with XDEL: every entry of a lead whose
-- LeadDeleted is in this batch, except the LeadDeleted itself (ids and the
-- event type only).
CREATE FUNCTION crm_mark_outbox_published_to_streams(event_ids uuid[], tenant_ids uuid[], stream_ids text[])
RETURNS TABLE (event_type text, stream_id text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
  UPDATE "outbox" o SET stream_id = p.stream_id
  FROM unnest(event_ids, tenant_ids, stream_ids) AS p(id, tenant_id, stream_id)
  WHERE o.tenant_id = p.tenant_id AND o.id = p.id AND o.published_at IS NULL AND p.stream_id IS NOT NULL;
  PERFORM crm_mark_outbox_published(event_ids, tenant_ids);
  RETURN QUERY
    SELECT o.event_type, o.stream_id FROM "outbox" o
    JOIN (
      SELECT DISTINCT d.tenant_id, d.aggregate_id FROM "outbox" d
      JOIN unnest(event_ids, tenant_ids) AS p(id, tenant_id) ON d.tenant_id = p.tenant_id AND d.id = p.id
      WHERE d.event_type = 'LeadDeleted'
    ) deleted ON o.tenant_id = deleted.tenant_id AND o.aggregate_id = deleted.aggregate_id
    WHERE o.event_type <> 'LeadDeleted' AND o.stream_id IS NOT NULL;
END;
$$;
REVOKE ALL ON FUNCTION crm_mark_outbox_published_to_streams(uuid[], uuid[], text[]) FROM PUBLIC;
