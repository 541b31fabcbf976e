# shellcheck shell=bash
# Throwaway PostgreSQL 15 server for the operational scripts (chaos.sh, partition.sh). Source it:
#
#   . scripts/lib/pg.sh
#   trap pg_stop EXIT            # or call pg_stop from your own trap; it is idempotent
#   pg_start [listen-address] [database] [extra-hba-cidr]
#   echo "$PG_CONN"              # Host=<addr>;Port=<port>;Username=postgres;Database=<db>;Pooling=true
#
# pg_start makes a temp folder owned by the postgres OS user, runs initdb with trust auth, creates the
# database (single-user mode: no psql/createdb needed), and starts the server on a free port listening
# on the given address (default 127.0.0.1) with max_connections=300. fsync and synchronous_commit keep
# their shipped defaults (ON): these scripts are about durability, so the database must be honest.
# Trust is granted to 127.0.0.1/32, the listen address and, if given, an extra CIDR (e.g. a namespace
# subnet). Server binaries run as `postgres` when we are root (the server refuses to run as root).
#
# Optional: PG_SERVER_OPTS (extra server options, e.g. "-c fsync=off" for the test suite, which needs
# speed and no durability) and PG_INITDB_OPTS (e.g. --no-sync).
#
# Sets: PG_TMP PG_DATA PG_LOG PG_PORT PG_HOST PG_DB PG_CONN PG_STARTED.

PG_TMP="${PG_TMP:-}"
PG_DATA=""
PG_LOG=""
PG_PORT=""
PG_HOST=""
PG_DB=""
PG_CONN=""
PG_STARTED=0

_pg_log() { echo "[pg] $*" >&2; }

# Run a server binary as the postgres OS user when root, from inside the temp folder (accessible cwd).
pg_as() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$PG_TMP" && runuser -u postgres -- "$@")
  else
    (cd "$PG_TMP" && "$@")
  fi
}

# Is TCP port $2 on address $1 free? (nothing answers a connect, and ss sees no listener on it)
pg_port_free() {
  local addr=$1 p=$2
  if (exec 3<>"/dev/tcp/$addr/$p") 2>/dev/null; then return 1; fi
  if command -v ss >/dev/null 2>&1 && ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then return 1; fi
  return 0
}

# A random free TCP port (bounded: 200 tries).
pg_pick_port() {
  local addr=${1:-127.0.0.1} p i
  for i in $(seq 1 200); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if pg_port_free "$addr" "$p"; then echo "$p"; return 0; fi
  done
  _pg_log "no free TCP port found"; return 1
}

pg_start() {
  local listen=${1:-127.0.0.1} db=${2:-akka_jobs} extra_cidr=${3:-} bin attempt
  for bin in initdb pg_ctl postgres; do
    command -v "$bin" >/dev/null 2>&1 || { _pg_log "'$bin' is not on PATH"; return 1; }
  done
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    _pg_log "running as root but there is no 'postgres' OS user to run the server as"; return 1
  fi
  PG_TMP="$(mktemp -d /tmp/akka-jobs-pg.XXXXXX)"
  chmod 700 "$PG_TMP"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PG_TMP"; fi
  PG_DATA="$PG_TMP/data"
  PG_LOG="$PG_TMP/server.log"
  pg_as mkdir -p "$PG_TMP/sock"

  # shellcheck disable=SC2086 # PG_INITDB_OPTS is a list of options
  if ! pg_as initdb -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 ${PG_INITDB_OPTS:-} >"$PG_TMP/initdb.log" 2>&1; then
    _pg_log "initdb failed:"; cat "$PG_TMP/initdb.log" >&2; return 1
  fi
  {
    echo "host all all 127.0.0.1/32 trust"
    if [ "$listen" != "127.0.0.1" ]; then echo "host all all $listen/32 trust"; fi
    if [ -n "$extra_cidr" ]; then echo "host all all $extra_cidr trust"; fi
  } | pg_as tee "$PG_DATA/pg_hba.conf" >/dev/null
  if ! echo "CREATE DATABASE $db;" | pg_as postgres --single -D "$PG_DATA" postgres >"$PG_TMP/single.log" 2>&1; then
    _pg_log "creating database $db failed:"; cat "$PG_TMP/single.log" >&2; return 1
  fi
  for attempt in 1 2 3 4 5; do
    PG_PORT="$(pg_pick_port "$listen")" || return 1
    if pg_as pg_ctl -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
         -o "-p $PG_PORT -k $PG_TMP/sock -c listen_addresses=$listen -c max_connections=300 ${PG_SERVER_OPTS:-}" \
         start >"$PG_TMP/pg_ctl.log" 2>&1; then
      PG_STARTED=1
      break
    fi
    _pg_log "PostgreSQL did not start on $listen:$PG_PORT (attempt $attempt):"; tail -n 5 "$PG_LOG" >&2 || true
    pg_as pg_ctl -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
  done
  [ "$PG_STARTED" -eq 1 ] || { _pg_log "PostgreSQL failed to start"; return 1; }
  PG_HOST="$listen"
  PG_DB="$db"
  PG_CONN="Host=$listen;Port=$PG_PORT;Username=postgres;Database=$db;Pooling=true"
  _pg_log "PostgreSQL ready on $listen:$PG_PORT, database $db, folder $PG_TMP"
}

# Stops the server and removes its folder. Idempotent, safe from a trap; pass "keep-log <dir>" to copy
# the server log into <dir> first.
pg_stop() {
  if [ "${1:-}" = "keep-log" ] && [ -n "${2:-}" ] && [ -f "$PG_LOG" ]; then
    cp "$PG_LOG" "$2/postgresql.log" 2>/dev/null || true
  fi
  if [ "${1:-}" = "show-log" ] && [ -f "$PG_LOG" ]; then
    _pg_log "last 30 lines of the PostgreSQL log ($PG_LOG):"
    tail -n 30 "$PG_LOG" >&2 || true
  fi
  if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
    if [ "$PG_STARTED" -eq 1 ]; then
      pg_as pg_ctl -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 \
        || pg_as pg_ctl -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 \
        || _pg_log "pg_ctl stop failed"
      PG_STARTED=0
    fi
    rm -rf "$PG_TMP"
  fi
  PG_TMP=""
}
