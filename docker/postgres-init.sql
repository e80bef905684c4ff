-- Runs once when the PostgreSQL volume is created: the runtime role the
-- service connects as. It owns no table and bypasses no row-level security;
-- `npm run db:migrate` (the migrate service) grants it what it needs.
CREATE ROLE crm_app LOGIN PASSWORD 'crm_app_password' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
