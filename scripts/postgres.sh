#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster on loopback for the store-sql tests and benchmarks.
#
#   eval "$(scripts/postgres.sh start)"   # installs Debian's postgresql if needed, prints the export line
#   scripts/postgres.sh stop
#
# The cluster lives in .tmp/postgres (ignored by git) and listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/.tmp/postgres"
port="${EFFECT_OAUTH_PG_PORT:-55432}"
url="postgres://effect_oauth@127.0.0.1:${port}/effect_oauth"

bindir() {
  local pgc
  pgc=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$pgc" ]; then
    echo "installing postgresql (Debian package)" >&2
    if [ "$(id -u)" = 0 ]; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
    else
      (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
    fi
    pgc=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$pgc"
}

# PostgreSQL refuses to run as root: run its programs as the `postgres` user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    bin=$(bindir)
    mkdir -p "$root"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$root" && chmod 755 "$PWD/.tmp"
    if [ ! -f "$root/data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$root/data" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$root/data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$root/data" -l "$root/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $root -c fsync=off -c max_connections=200" start >/dev/null
    fi
    as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
      "SELECT 1 FROM pg_roles WHERE rolname='effect_oauth'" | grep -q 1 ||
      as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE ROLE effect_oauth LOGIN SUPERUSER" >/dev/null
    as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='effect_oauth'" | grep -q 1 ||
      as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE effect_oauth OWNER effect_oauth" >/dev/null
    echo "export EFFECT_OAUTH_PG_URL=$url"
    ;;
  stop)
    # Never installs anything: without a cluster (or without PostgreSQL) there is nothing to stop.
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$bin" ] && [ -f "$root/data/PG_VERSION" ]; then
      as_pg "$bin/pg_ctl" -D "$root/data" -m fast stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
