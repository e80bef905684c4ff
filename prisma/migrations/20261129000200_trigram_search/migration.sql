-- Increment 2a: search and duplicate detection on trigram indexes.
-- pg_trgm gives similarity() and the gin_trgm_ops operator class, which
-- serves substring ILIKE and the % similarity operator. It ships with
-- PostgreSQL's contrib and is a "trusted" extension (PostgreSQL 13+): an owner
-- with CREATE on the database may create it. A managed database whose
-- migration owner may not must have it created beforehand (docs/operations.md).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- LeadFilter.search (ILIKE '%text%' on name, email, company) and the duplicate
-- reasons SIMILAR_NAME and SIMILAR_COMPANY; email is stored lowercased already. These do not start with
-- tenant_id, unlike every other index: a GIN index can only take the tenant
-- through btree_gin, and then every search walks the tenant's whole posting
-- list (measured at 100,000 leads in one tenant: 8 ms a search, against 0.5 ms
-- for these, where the tenant condition is checked on the few matching rows).
-- A small pending list: GIN queues new entries (an import adds 1,000 leads at
-- once) in a pending list every search reads linearly until it is merged. At
-- the default 4 MB, searches measured 10 to 40 ms instead of 0.2 ms after a few
-- imports; with fastupdate off, a 1,000-row import took 0.5 to 0.7 s instead of
-- 0.2 s. 512 kB keeps both small.
CREATE INDEX "lead_name_trgm_idx" ON "lead" USING gin (lower("name") gin_trgm_ops) WITH (gin_pending_list_limit = 512);
CREATE INDEX "lead_email_trgm_idx" ON "lead" USING gin ("email" gin_trgm_ops) WITH (gin_pending_list_limit = 512);
CREATE INDEX "lead_company_trgm_idx" ON "lead" USING gin (lower("company") gin_trgm_ops) WITH (gin_pending_list_limit = 512);

-- SAME_PHONE: equal E.164 numbers within the tenant.
CREATE INDEX "lead_tenant_id_phone_idx" ON "lead"("tenant_id", "phone");
-- SAME_EMAIL_DOMAIN: equal domains within the tenant (an address has exactly one
-- @: Email accepts dot-atom local parts only). Equality, not a trigram LIKE:
-- the trigrams of a domain ("exa", "com") are in most addresses.
CREATE INDEX "lead_tenant_id_email_domain_idx" ON "lead"("tenant_id", split_part("email", '@', 2));

-- Row-level security keeps these indexes from the runtime role's own queries:
-- a condition on an RLS table may become an index condition only if its
-- operator is LEAKPROOF, and ILIKE and pg_trgm's % are not (only a superuser
-- may mark them). So the index lookups run in these SECURITY DEFINER
-- functions, owned by the migration owner, which read the tenant from the
-- same transaction setting the policies use (never from an argument: a caller
-- cannot ask for another tenant's rows) and return lead ids only; the
-- caller's query then reads those leads under RLS as usual. EXECUTE plans
-- each call with its values, so a rare search term takes the trigram indexes
-- and a very common one a plain scan.
-- FORCE ROW LEVEL SECURITY binds the owner too: this policy lets the owner
-- (and so these functions) read the lead table; they filter by tenant themselves.
CREATE POLICY "lead_trigram_lookup" ON "lead" FOR SELECT TO CURRENT_USER USING (true);

-- LeadFilter.search: ids of up to max_ids of the tenant's leads whose name,
-- email or company matches the ILIKE pattern (the caller escapes LIKE
-- metacharacters). The cap keeps a common term cheap: the caller then
-- searches in page order instead, where matches come at once.
CREATE FUNCTION crm_search_lead_ids(pattern text, max_ids integer)
RETURNS TABLE (id uuid)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  tenant uuid := NULLIF(current_setting('app.current_tenant_id', true), '')::uuid;
BEGIN
  IF tenant IS NULL OR pattern IS NULL THEN RETURN; END IF;
  RETURN QUERY EXECUTE
    'SELECT l.id FROM lead l WHERE l.tenant_id = $1
       AND (lower(l.name) ILIKE $2 OR l.email ILIKE $2 OR lower(l.company) ILIKE $2)
     LIMIT $3'
    USING tenant, pattern, max_ids;
END;
$$;

-- duplicateCandidates: ids of the tenant's leads for which a duplicate reason
-- may hold, a superset the caller narrows with similarity() and RULES' own
-- thresholds (name 0.5, company 0.6). pg_trgm's % takes its threshold from
-- pg_trgm.similarity_threshold, set here to 0.5 for this function only: the
-- trigram index then skips leads that share a common word and little else
-- ("Tolofe Labs" and any other "... Labs"), which the default 0.3 lets through
-- by the thousand. A null argument is a reason that cannot hold.
CREATE FUNCTION crm_duplicate_candidate_ids(lead_name text, lead_company text, lead_phone text, email_domain text)
RETURNS TABLE (id uuid)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
SET pg_trgm.similarity_threshold = 0.5
AS $$
DECLARE
  tenant uuid := NULLIF(current_setting('app.current_tenant_id', true), '')::uuid;
BEGIN
  IF tenant IS NULL THEN RETURN; END IF;
  RETURN QUERY EXECUTE
    'SELECT l.id FROM lead l WHERE l.tenant_id = $1
       AND (lower(l.name) % lower($2) OR lower(l.company) % lower($3) OR l.phone = $4 OR split_part(l.email, ''@'', 2) = $5)'
    USING tenant, lead_name, lead_company, lead_phone, email_domain;
END;
$$;

REVOKE ALL ON FUNCTION crm_search_lead_ids(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION crm_duplicate_candidate_ids(text, text, text, text) FROM PUBLIC;
