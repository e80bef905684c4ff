#!/bin/sh
# Makes the secret files docker-compose.yml hands to its services (compose `secrets:`),
# once: random passwords, the two database URLs built from them, and the JWT secret.
# An existing file is kept (the PostgreSQL volume was initialised with it); delete the
# folder and the volume (docker compose down -v) to start over. Never commit the folder.
set -eu

usage="usage: docker/make-secrets.sh [folder]   (default: ./secrets, beside docker-compose.yml)"
case "${1:-}" in
  -h|--help) echo "$usage"; exit 0 ;;
  -*) echo "unknown option $1" >&2; echo "$usage" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "$usage" >&2; exit 2; }
dir="${1:-$(dirname "$0")/../secrets}"

umask 077
mkdir -p "$dir"
chmod 700 "$dir" # only you can reach the files on this machine ...

random() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# $1 file name, $2 value: written only if absent.
keep_or_write() {
  if [ -s "$dir/$1" ]; then echo "kept    $dir/$1"; return; fi
  printf '%s\n' "$2" > "$dir/$1"
  # ... while the containers, which run as their own users (node, postgres), can read their copy.
  chmod 644 "$dir/$1"
  echo "created $dir/$1"
}

keep_or_write postgres_owner_password "$(random 24)"
keep_or_write crm_app_password "$(random 24)"
keep_or_write crm_jwt_secret "$(random 32)"
owner_password=$(cat "$dir/postgres_owner_password")
app_password=$(cat "$dir/crm_app_password")
keep_or_write crm_migration_url "postgres://crm_owner:$owner_password@postgres:5432/crm"
keep_or_write crm_database_url "postgres://crm_app:$app_password@postgres:5432/crm"
