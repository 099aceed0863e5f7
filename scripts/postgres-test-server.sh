#!/usr/bin/env bash
# Starts a throw-away PostgreSQL on 127.0.0.1 for the test suite (Debian/Ubuntu, as root) and prints the URL
# to export as TAMDESK_TEST_POSTGRES_URL. Used by .ci/run; safe to run twice.
set -euo pipefail
port=${TAMDESK_PG_PORT:-55432}
root=${TAMDESK_PG_DIR:-/tmp/tamdesk-pg}
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
id -u postgres >/dev/null 2>&1 || useradd --system --home "$root" postgres
if [ ! -f "$root/data/PG_VERSION" ]; then
  mkdir -p "$root"
  chown postgres "$root"
  echo postgres > "$root/pw"
  chown postgres "$root/pw"
  su postgres -s /bin/sh -c "$bin/initdb -D $root/data -A scram-sha-256 --pwfile=$root/pw -U postgres >/dev/null"
fi
if ! su postgres -s /bin/sh -c "$bin/pg_ctl -D $root/data status" >/dev/null 2>&1; then
  su postgres -s /bin/sh -c "$bin/pg_ctl -D $root/data -l $root/log -w -o '-h 127.0.0.1 -p $port -k $root' start" >/dev/null
fi
export PGPASSWORD=postgres
psql="$bin/psql -h 127.0.0.1 -p $port -U postgres -v ON_ERROR_STOP=1 -q"
$psql -tc "SELECT 1 FROM pg_roles WHERE rolname = 'tamdesk'" | grep -q 1 ||
  $psql -c "CREATE ROLE tamdesk LOGIN SUPERUSER PASSWORD 'tamdesk'"
$psql -tc "SELECT 1 FROM pg_database WHERE datname = 'tamdesk_test'" | grep -q 1 ||
  $psql -c "CREATE DATABASE tamdesk_test OWNER tamdesk"
echo "postgresql://tamdesk:tamdesk@127.0.0.1:$port/tamdesk_test"
