-- The PostGraphile peer's writes, as a team choosing PostGraphile would write
-- captureLead, logLeadActivity and tagLead: plain PL/pgSQL functions that
-- PostGraphile's amber preset exposes as mutations (schema bench_api), with
-- helpers it does not expose (schema bench_private). They do what the
-- service's commands do (docs/domain.md): trimmed, lowercased email unique per
-- tenant, validation, the scoring rules, version and activity_count, and the
-- outbox rows in the service's shape (event payloads and the lead snapshot
-- the service writes, src/infrastructure/prisma/prisma-event-outbox.ts).
-- SECURITY INVOKER (the default): they run as the runtime role, under the
-- same row-level security as the service. Bench only: applied by
-- `npm run bench:seed` (and by `npm run bench` when missing), never by the
-- project's migrations. Idempotent.
CREATE SCHEMA IF NOT EXISTS bench_api;
CREATE SCHEMA IF NOT EXISTS bench_private;

-- docs/domain.md, "Lead scoring" (src/domain/lead/lead-scoring.ts).
CREATE OR REPLACE FUNCTION bench_private.score_lead(source text, has_phone boolean, has_company boolean, activity_count integer,
  value_minor integer, employee_count integer, status text)
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE status WHEN 'CONVERTED' THEN 100 WHEN 'LOST' THEN 0 ELSE greatest(0, least(100,
      CASE source WHEN 'REFERRAL' THEN 30 WHEN 'EVENT' THEN 25 WHEN 'WEBSITE_FORM' THEN 20 WHEN 'PAID_AD' THEN 15 WHEN 'SOCIAL' THEN 10 ELSE 5 END
      + CASE WHEN has_phone THEN 10 ELSE 0 END
      + CASE WHEN has_company THEN 10 ELSE 0 END
      + least(5 * activity_count, 25)
      + CASE WHEN coalesce(value_minor, 0) >= 1000000 THEN 20 WHEN coalesce(value_minor, 0) >= 100000 THEN 10 ELSE 0 END
      + CASE WHEN coalesce(employee_count, 0) >= 200 THEN 10 ELSE 0 END
      + CASE WHEN status = 'QUALIFIED' THEN 10 ELSE 0 END)) END
$$;

-- Timestamps as the service's JSON has them (Date.prototype.toISOString).
CREATE OR REPLACE FUNCTION bench_private.iso(at timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- The lead snapshot of an outbox row: the service's LeadView (every field but the tenant).
CREATE OR REPLACE FUNCTION bench_private.lead_view(l public.lead) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('id', l.id, 'name', l.name, 'email', l.email, 'phone', l.phone, 'company', l.company,
    'source', l.source, 'status', l.status, 'score', l.score,
    'estimatedValue', CASE WHEN l.estimated_value_minor IS NULL THEN NULL
      ELSE jsonb_build_object('amountMinor', l.estimated_value_minor, 'currency', l.estimated_value_currency) END,
    'tags', to_jsonb(coalesce(l.tags, '{}')), 'lostReason', l.lost_reason, 'ownerId', l.owner_id, 'campaignId', l.campaign_id,
    'enrichment', l.enrichment, 'activityCount', l.activity_count, 'version', l.version,
    'createdAt', bench_private.iso(l.created_at), 'updatedAt', bench_private.iso(l.updated_at), 'convertedAt', bench_private.iso(l.converted_at))
$$;

-- Tags as the domain takes them (src/domain/lead/tag.ts): trimmed, lowercased, checked, deduplicated in first-given order.
CREATE OR REPLACE FUNCTION bench_private.normalised_tags(raw text[]) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  tag text;
  result text[] := '{}';
BEGIN
  FOREACH tag IN ARRAY coalesce(raw, '{}') LOOP
    tag := lower(btrim(tag));
    IF tag !~ '^[a-z0-9][a-z0-9 _-]{0,31}$' THEN
      RAISE EXCEPTION 'BAD_USER_INPUT: tags: "%" is not a valid tag', tag USING ERRCODE = '22023';
    END IF;
    IF NOT tag = ANY(result) THEN result := result || tag; END IF;
  END LOOP;
  RETURN result;
END;
$$;

-- captureLead: a new lead, its score, version 1, and its LeadCaptured event in the outbox.
CREATE OR REPLACE FUNCTION bench_api.capture_lead(name text, email text, source text, phone text DEFAULT NULL,
  company text DEFAULT NULL, owner_id uuid DEFAULT NULL, campaign_id uuid DEFAULT NULL, tags text[] DEFAULT NULL,
  estimated_value_minor integer DEFAULT NULL, estimated_value_currency text DEFAULT NULL)
RETURNS public.lead LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  tenant uuid := nullif(current_setting('app.current_tenant_id', true), '')::uuid;
  actor uuid := nullif(current_setting('app.current_user_id', true), '')::uuid;
  at timestamptz := date_trunc('milliseconds', now());
  address text := lower(btrim(capture_lead.email));
  lead_name text := btrim(capture_lead.name);
  lead_phone text := nullif(btrim(capture_lead.phone), '');
  lead_company text := nullif(btrim(capture_lead.company), '');
  lead_tags text[] := bench_private.normalised_tags(capture_lead.tags);
  captured public.lead;
  holder uuid;
BEGIN
  IF char_length(lead_name) NOT BETWEEN 1 AND 200 THEN
    RAISE EXCEPTION 'BAD_USER_INPUT: name must be 1 to 200 characters long' USING ERRCODE = '22023';
  END IF;
  IF char_length(address) > 254
    OR address !~ '^[a-z0-9!#$%&''*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&''*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$' THEN
    RAISE EXCEPTION 'BAD_USER_INPUT: email: "%" is not a valid email address', capture_lead.email USING ERRCODE = '22023';
  END IF;
  IF cardinality(lead_tags) > 20 THEN
    RAISE EXCEPTION 'BAD_USER_INPUT: tags: a lead can have at most 20 tags' USING ERRCODE = '22023';
  END IF;
  -- The unique index (tenant_id, email) decides: a concurrent capture of the same address waits, then finds it taken.
  INSERT INTO public.lead (tenant_id, id, name, email, phone, company, source, status, score, estimated_value_minor,
    estimated_value_currency, tags, owner_id, campaign_id, activity_count, version, created_at, updated_at)
  VALUES (tenant, gen_random_uuid(), lead_name, address, lead_phone, lead_company, capture_lead.source, 'NEW',
    bench_private.score_lead(capture_lead.source, lead_phone IS NOT NULL, lead_company IS NOT NULL, 0, capture_lead.estimated_value_minor, NULL, 'NEW'),
    capture_lead.estimated_value_minor, capture_lead.estimated_value_currency, lead_tags, capture_lead.owner_id, capture_lead.campaign_id, 0, 1, at, at)
  ON CONFLICT (tenant_id, email) DO NOTHING
  RETURNING * INTO captured;
  IF captured.id IS NULL THEN
    SELECT l.id INTO holder FROM public.lead l WHERE l.tenant_id = tenant AND l.email = address;
    RAISE EXCEPTION 'LEAD_ALREADY_EXISTS: lead % already has this email', holder USING ERRCODE = '23505';
  END IF;
  INSERT INTO public.outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, actor_id, occurred_at)
  VALUES (tenant, gen_random_uuid(), captured.id, 'LeadCaptured', 1,
    jsonb_build_object('id', captured.id, 'name', captured.name, 'email', captured.email, 'phone', captured.phone,
      'company', captured.company, 'source', captured.source, 'status', captured.status, 'score', captured.score,
      'estimatedValue', bench_private.lead_view(captured)->'estimatedValue', 'tags', to_jsonb(captured.tags),
      'ownerId', captured.owner_id, 'campaignId', captured.campaign_id, 'createdAt', bench_private.iso(captured.created_at)),
    bench_private.lead_view(captured), actor, at);
  RETURN captured;
END;
$$;

-- logLeadActivity: the activity, activity_count + 1, version + 1, the rescore,
-- and LeadActivityLogged (then LeadScoreChanged when the score moved) in the outbox.
CREATE OR REPLACE FUNCTION bench_api.log_lead_activity(lead_id uuid, type text, summary text, occurred_at timestamptz DEFAULT NULL)
RETURNS public.activity LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  tenant uuid := nullif(current_setting('app.current_tenant_id', true), '')::uuid;
  actor uuid := nullif(current_setting('app.current_user_id', true), '')::uuid;
  at timestamptz := date_trunc('milliseconds', now());
  text_of text := btrim(log_lead_activity.summary);
  before public.lead;
  after public.lead;
  logged public.activity;
BEGIN
  IF char_length(text_of) NOT BETWEEN 1 AND 2000 THEN
    RAISE EXCEPTION 'BAD_USER_INPUT: summary must be 1 to 2000 characters long' USING ERRCODE = '22023';
  END IF;
  -- Locked, so concurrent changes of one lead queue instead of losing a version.
  SELECT * INTO before FROM public.lead l WHERE l.tenant_id = tenant AND l.id = log_lead_activity.lead_id FOR UPDATE;
  IF before.id IS NULL THEN
    RAISE EXCEPTION 'NOT_FOUND: lead % not found', log_lead_activity.lead_id USING ERRCODE = 'P0002';
  END IF;
  INSERT INTO public.activity (tenant_id, id, lead_id, type, summary, occurred_at, actor_id, created_at)
  VALUES (tenant, gen_random_uuid(), before.id, log_lead_activity.type, text_of, coalesce(log_lead_activity.occurred_at, at), actor, at)
  RETURNING * INTO logged;
  UPDATE public.lead l SET activity_count = l.activity_count + 1, version = l.version + 1, updated_at = at,
    score = bench_private.score_lead(l.source, l.phone IS NOT NULL, l.company IS NOT NULL, l.activity_count + 1,
      l.estimated_value_minor, (l.enrichment->>'employeeCount')::integer, l.status)
  WHERE l.tenant_id = tenant AND l.id = before.id
  RETURNING * INTO after;
  INSERT INTO public.outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, actor_id, occurred_at)
  SELECT tenant, gen_random_uuid(), after.id, e.event_type, after.version, e.payload, bench_private.lead_view(after), actor, at
  FROM (VALUES (1, 'LeadActivityLogged', jsonb_build_object('activityId', logged.id, 'type', logged.type)),
               (2, 'LeadScoreChanged', jsonb_build_object('from', before.score, 'to', after.score))) AS e(n, event_type, payload)
  WHERE e.n = 1 OR after.score <> before.score
  ORDER BY e.n;
  RETURN logged;
END;
$$;

-- tagLead: adds the tags the lead lacks (at most 20 in all); no new tag, no change.
CREATE OR REPLACE FUNCTION bench_api.tag_lead(lead_id uuid, tags text[])
RETURNS public.lead LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  tenant uuid := nullif(current_setting('app.current_tenant_id', true), '')::uuid;
  actor uuid := nullif(current_setting('app.current_user_id', true), '')::uuid;
  at timestamptz := date_trunc('milliseconds', now());
  wanted text[] := bench_private.normalised_tags(tag_lead.tags);
  added text[];
  before public.lead;
  after public.lead;
BEGIN
  SELECT * INTO before FROM public.lead l WHERE l.tenant_id = tenant AND l.id = tag_lead.lead_id FOR UPDATE;
  IF before.id IS NULL THEN
    RAISE EXCEPTION 'NOT_FOUND: lead % not found', tag_lead.lead_id USING ERRCODE = 'P0002';
  END IF;
  added := array(SELECT t FROM unnest(wanted) WITH ORDINALITY u(t, n) WHERE NOT t = ANY(coalesce(before.tags, '{}')) ORDER BY n);
  IF cardinality(added) = 0 THEN
    RETURN before;
  END IF;
  IF cardinality(coalesce(before.tags, '{}')) + cardinality(added) > 20 THEN
    RAISE EXCEPTION 'BAD_USER_INPUT: tags: a lead can have at most 20 tags' USING ERRCODE = '22023';
  END IF;
  UPDATE public.lead l SET tags = coalesce(l.tags, '{}') || added, version = l.version + 1, updated_at = at,
    score = bench_private.score_lead(l.source, l.phone IS NOT NULL, l.company IS NOT NULL, l.activity_count,
      l.estimated_value_minor, (l.enrichment->>'employeeCount')::integer, l.status)
  WHERE l.tenant_id = tenant AND l.id = before.id
  RETURNING * INTO after;
  INSERT INTO public.outbox (tenant_id, id, aggregate_id, event_type, version, payload, lead_snapshot, actor_id, occurred_at)
  SELECT tenant, gen_random_uuid(), after.id, e.event_type, after.version, e.payload, bench_private.lead_view(after), actor, at
  FROM (VALUES (1, 'LeadTagsChanged', jsonb_build_object('added', to_jsonb(added), 'removed', '[]'::jsonb)),
               (2, 'LeadScoreChanged', jsonb_build_object('from', before.score, 'to', after.score))) AS e(n, event_type, payload)
  WHERE e.n = 1 OR after.score <> before.score
  ORDER BY e.n;
  RETURN after;
END;
$$;

-- Plain mutation names (captureLead, not benchApiCaptureLead): PostGraphile
-- prefixes functions of a second schema with its name; a smart tag says the name.
COMMENT ON FUNCTION bench_api.capture_lead(text, text, text, text, text, uuid, uuid, text[], integer, text) IS '@name capture_lead';
COMMENT ON FUNCTION bench_api.log_lead_activity(uuid, text, text, timestamptz) IS '@name log_lead_activity';
COMMENT ON FUNCTION bench_api.tag_lead(uuid, text[]) IS '@name tag_lead';
