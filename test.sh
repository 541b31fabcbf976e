#!/usr/bin/env bash
# Runs the whole test suite from a fresh clone: starts a throwaway PostgreSQL server on 127.0.0.1
# (free port, temp folder, trust auth), exports AKKA_JOBS_TEST_PG, runs `dotnet test` on the solution,
# and prints "N passed, N failed, N skipped" as the last line. Extra args go to `dotnet test`,
# e.g. ./test.sh --filter "FullyQualifiedName~TestDatabases". A test running longer than
# AKKA_JOBS_TEST_HANG_TIMEOUT (default 5m) is killed by --blame-hang and the run fails.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$REPO"

RESULTS_DIR="$REPO/TestResults"
PGTMP=""
PGDATA_DIR=""
PGLOG=""
PG_STARTED=0
CLEANED=0
DOTNET_PID=""
SHOW_PG_LOG=0

log() { echo "[test.sh] $*" >&2; }

# Run a PostgreSQL server binary as the postgres OS user when we are root (the server refuses root),
# or directly as ourselves otherwise. Always from inside the temp folder, so the cwd is accessible.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$PGTMP" && runuser -u postgres -- "$@")
  else
    (cd "$PGTMP" && "$@")
  fi
}

cleanup() {
  [ "$CLEANED" -eq 1 ] && return 0
  CLEANED=1
  if [ -n "$DOTNET_PID" ] && kill -0 "$DOTNET_PID" 2>/dev/null; then
    log "stopping dotnet test (process group $DOTNET_PID)"
    kill -TERM -- "-$DOTNET_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 -- "-$DOTNET_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$DOTNET_PID" 2>/dev/null || true
  fi
  if [ -n "$PGTMP" ] && [ -d "$PGTMP" ]; then
    if [ "$PG_STARTED" -eq 1 ]; then
      as_pg pg_ctl -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1 || log "pg_ctl stop failed"
    fi
    if [ "$SHOW_PG_LOG" -eq 1 ] && [ -f "$PGLOG" ]; then
      log "last 30 lines of the PostgreSQL log ($PGLOG):"
      tail -n 30 "$PGLOG" >&2 || true
    fi
    rm -rf "$PGTMP"
  fi
}
on_exit() {
  local rc=$?
  [ "$rc" -ne 0 ] && SHOW_PG_LOG=1
  cleanup
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Is TCP port $1 on 127.0.0.1 free? (nothing answers a connect, and ss sees no listener)
port_free() {
  local p=$1
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then return 1; fi
  if command -v ss >/dev/null 2>&1 && ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then return 1; fi
  return 0
}
pick_port() {
  local p i
  for i in $(seq 1 200); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  log "no free TCP port found"; return 1
}

# ---------------------------------------------------------------- PostgreSQL
for bin in initdb pg_ctl postgres dotnet; do
  command -v "$bin" >/dev/null 2>&1 || { log "'$bin' is not on PATH"; exit 1; }
done
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  log "running as root but there is no 'postgres' OS user to run the server as"; exit 1
fi

pg_t0=$(date +%s.%N)
PGTMP="$(mktemp -d /tmp/akka-jobs-pg.XXXXXX)"
chmod 700 "$PGTMP"
[ "$(id -u)" -eq 0 ] && chown postgres: "$PGTMP"
PGDATA_DIR="$PGTMP/data"
PGSOCK="$PGTMP/sock"
PGLOG="$PGTMP/server.log"
as_pg mkdir -p "$PGSOCK"
log "PostgreSQL temp folder: $PGTMP (server log: $PGLOG)"

if ! as_pg initdb -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PGTMP/initdb.log" 2>&1; then
  log "initdb failed:"; cat "$PGTMP/initdb.log" >&2; exit 1
fi
# Trust, and only over TCP from 127.0.0.1.
echo "host all all 127.0.0.1/32 trust" | as_pg tee "$PGDATA_DIR/pg_hba.conf" >/dev/null

# The test database, created in single-user mode: needs no client tools (psql/createdb).
if ! echo "CREATE DATABASE akka_jobs_test;" | as_pg postgres --single -D "$PGDATA_DIR" postgres >"$PGTMP/single.log" 2>&1; then
  log "creating akka_jobs_test failed:"; cat "$PGTMP/single.log" >&2; exit 1
fi

PGPORT=""
for attempt in 1 2 3 4 5; do
  PGPORT="$(pick_port)"
  if as_pg pg_ctl -D "$PGDATA_DIR" -l "$PGLOG" -w -t 60 \
       -o "-p $PGPORT -k $PGSOCK -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
       start >"$PGTMP/pg_ctl.log" 2>&1; then
    PG_STARTED=1
    break
  fi
  log "PostgreSQL did not start on port $PGPORT (attempt $attempt):"; tail -n 5 "$PGLOG" >&2 || true
  as_pg pg_ctl -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true
done
[ "$PG_STARTED" -eq 1 ] || { log "PostgreSQL failed to start"; exit 1; }
pg_t1=$(date +%s.%N)
log "PostgreSQL ready on 127.0.0.1:$PGPORT in $(awk "BEGIN{printf \"%.1f\", $pg_t1-$pg_t0}")s"

export AKKA_JOBS_TEST_PG="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=akka_jobs_test;Pooling=true"

# ---------------------------------------------------------------- dotnet test
rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"
log "test results (TRX): $RESULTS_DIR"
# LogFilePrefix, not LogFileName: with a fixed LogFileName every test project of the solution writes
# the same file and only the last one survives (microsoft/vstest#3026); the prefix gives one TRX each.
# In the background + wait, so that a TERM/INT sent to this script is handled at once (bash defers
# traps until a foreground child ends), and in its own process group (setsid), so that the trap can
# stop dotnet, vstest and the testhost together before stopping the server.
test_rc=0
setsid dotnet test "$REPO/Akka.Jobs.sln" -c Release \
  --logger "trx;LogFilePrefix=results" \
  --logger "console;verbosity=normal" \
  --results-directory "$RESULTS_DIR" \
  --blame-hang-timeout "${AKKA_JOBS_TEST_HANG_TIMEOUT:-5m}" --blame-hang-dump-type none \
  "$@" </dev/null &
DOTNET_PID=$!
wait "$DOTNET_PID" || test_rc=$?
DOTNET_PID=""

# ---------------------------------------------------------------- summary from the TRX files
attr() { grep -o "<Counters [^>]*" "$1" | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]\+' || echo 0; }
passed=0; failed=0; skipped=0; executed=0; ntrx=0; aborted_runs=0
while IFS= read -r -d '' trx; do
  ntrx=$((ntrx + 1))
  log "TRX: $trx"
  total=$(attr "$trx" total); exe=$(attr "$trx" executed)
  passed=$((passed + $(attr "$trx" passed)))
  failed=$((failed + $(attr "$trx" failed) + $(attr "$trx" error) + $(attr "$trx" timeout) + $(attr "$trx" aborted)))
  skipped=$((skipped + total - exe))
  executed=$((executed + exe))
  if grep -q '<ResultSummary outcome="Aborted"' "$trx"; then
    log "test run ABORTED (test host crashed, or a test hung past the blame-hang timeout): see the output above"
    aborted_runs=$((aborted_runs + 1))
  fi
done < <(find "$RESULTS_DIR" -name '*.trx' -print0)

status=0
if [ "$test_rc" -ne 0 ]; then log "dotnet test exited with $test_rc"; status=1; fi
if [ "$ntrx" -eq 0 ]; then log "no TRX file was written under $RESULTS_DIR"; status=1; fi
if [ "$aborted_runs" -gt 0 ]; then status=1; fi
if [ "$failed" -gt 0 ]; then log "$failed test(s) failed"; status=1; fi
if [ "$ntrx" -gt 0 ] && [ "$executed" -eq 0 ]; then log "no test was executed"; status=1; fi

# Stop the server now (its output goes to stderr) so the summary really is the last line.
[ "$status" -ne 0 ] && SHOW_PG_LOG=1
cleanup
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
