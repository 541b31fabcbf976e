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
CLEANED=0
DOTNET_PID=""
SHOW_PG_LOG=0

log() { echo "[test.sh] $*" >&2; }

# The throwaway server: scripts/lib/pg.sh, with durability off (tests need speed, not fsync).
# shellcheck source=scripts/lib/pg.sh
. "$REPO/scripts/lib/pg.sh"

cleanup() {
  [ "$CLEANED" -eq 1 ] && return 0
  CLEANED=1
  if [ -n "$DOTNET_PID" ] && kill -0 "$DOTNET_PID" 2>/dev/null; then
    log "stopping dotnet test (process group $DOTNET_PID)"
    kill -TERM -- "-$DOTNET_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 -- "-$DOTNET_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$DOTNET_PID" 2>/dev/null || true
  fi
  if [ "$SHOW_PG_LOG" -eq 1 ]; then pg_stop show-log; else pg_stop; fi
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

# ---------------------------------------------------------------- PostgreSQL
command -v dotnet >/dev/null 2>&1 || { log "'dotnet' is not on PATH"; exit 1; }
pg_t0=$(date +%s.%N)
PG_INITDB_OPTS="--no-sync" PG_SERVER_OPTS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  pg_start 127.0.0.1 akka_jobs_test
pg_t1=$(date +%s.%N)
log "PostgreSQL ready in $(awk "BEGIN{printf \"%.1f\", $pg_t1-$pg_t0}")s (server log: $PG_LOG)"

export AKKA_JOBS_TEST_PG="$PG_CONN"

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
