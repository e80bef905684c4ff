-- Increment 2a: search and duplicate detection on trigram indexes.
-- pg_trgm gives similarity() and the gin_trgm_ops operator class, which
-- serves substring ILIKE and the % similarity operator. It ships with
-- PostgreSQL's contrib and is a "trusted" extension (PostgreSQL 13+): an owner
-- with CREATE on the database may create it. A managed database whose
-- migration owner may not must have it created beforehand (docs/operations.md).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- LeadFilter.search (ILIKE '%text%' on name, email, company) and the duplicate
-- reasons SIMILAR_NAME, SIMILAR_COMPANY and SAME_EMAIL_DOMAIN (email LIKE
-- '%@domain'); email is stored lowercased already. These do not start with
-- tenant_id, unlike every other index: a GIN index can only take the tenant
-- through btree_gin, and then every search walks the tenant's whole posting
-- list (measured at 100,000 leads in one tenant: 8 ms a search, against 0.5 ms
-- for these, where the tenant condition is checked on the few matching rows).
CREATE INDEX "lead_name_trgm_idx" ON "lead" USING gin (lower("name") gin_trgm_ops);
CREATE INDEX "lead_email_trgm_idx" ON "lead" USING gin ("email" gin_trgm_ops);
CREATE INDEX "lead_company_trgm_idx" ON "lead" USING gin (lower("company") gin_trgm_ops);

-- SAME_PHONE: equal E.164 numbers within the tenant.
CREATE INDEX "lead_tenant_id_phone_idx" ON "lead"("tenant_id", "phone");
