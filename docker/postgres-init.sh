#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is created (docker-entrypoint-initdb.d), as the
# owner POSTGRES_USER on POSTGRES_DB: creates the runtime role the service connects as.
# It owns no table and bypasses no row-level security; the migrate service grants it what
# it needs. Name and password come from the postgres service's environment and secret.
set -euo pipefail
password=$(cat "$CRM_APP_PASSWORD_FILE")
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v role="$CRM_APP_ROLE" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
SQL
