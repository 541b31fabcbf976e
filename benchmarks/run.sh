#!/usr/bin/env bash
# Side-by-side benchmarks: Akka.Jobs vs Quartz.NET AdoJobStore vs Hangfire.PostgreSql.
#   benchmarks/run.sh [--quick] [--scenarios S1,S3] [--systems akka-jobs,quartz,...] [other bench options]
# Starts its own PostgreSQL 15 (fsync and synchronous_commit ON, pg_stat_statements loaded) on a free
# port in a temp folder, measures pgbench single-row INSERT tps as the physical reference, builds the
# benchmark in Release, runs every scenario x system one at a time (each in its own database), prints
# one table and writes benchmarks/results/<date>.json (+ .md). Not part of ./test.sh.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
[ -x "$PGBIN/initdb" ] || PGBIN="$(dirname "$(command -v initdb)")"
STAMP="$(date -u +%Y-%m-%d_%H%M%S)"
RESULTS="$HERE/results"
mkdir -p "$RESULTS"
OUT="$RESULTS/$STAMP.json"

log() { echo "[run.sh] $*" >&2; }

PGTMP="$(mktemp -d /tmp/akka-jobs-bench-pg.XXXXXX)"
chmod 700 "$PGTMP"
PG_STARTED=0
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd "$PGTMP" && runuser -u postgres -- "$@"); else (cd "$PGTMP" && "$@"); fi
}
cleanup() {
  if [ "$PG_STARTED" -eq 1 ]; then as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$PGTMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ "$(id -u)" -eq 0 ] && chown postgres: "$PGTMP"

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PGPORT=""
for _ in $(seq 1 100); do
  p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
  if port_free "$p"; then PGPORT=$p; break; fi
done

as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGTMP/initdb.log" 2>&1 \
  || { cat "$PGTMP/initdb.log" >&2; exit 1; }
echo "host all all 127.0.0.1/32 trust" | as_pg tee "$PGTMP/data/pg_hba.conf" >/dev/null
as_pg mkdir -p "$PGTMP/sock"
# Shipped durability settings: fsync and synchronous_commit stay ON (the defaults).
as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
  -o "-p $PGPORT -k $PGTMP/sock -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.max=10000 -c pg_stat_statements.track_utility=on" \
  start >/dev/null
PG_STARTED=1
PSQL=("$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -X -q -t -A)
log "PostgreSQL $("${PSQL[@]}" -d postgres -c 'SHOW server_version') on 127.0.0.1:$PGPORT; fsync=$("${PSQL[@]}" -d postgres -c 'SHOW fsync') synchronous_commit=$("${PSQL[@]}" -d postgres -c 'SHOW synchronous_commit')"

# Physical reference: one client, single-row INSERT, one commit each, ~10 s.
"${PSQL[@]}" -d postgres -c "CREATE DATABASE pgbench_ref" >/dev/null
"${PSQL[@]}" -d pgbench_ref -c "CREATE TABLE t (id bigserial PRIMARY KEY, v int)" >/dev/null
echo "INSERT INTO t (v) VALUES (1);" > "$PGTMP/insert.sql"
PGBENCH_TPS=$("$PGBIN/pgbench" -h 127.0.0.1 -p "$PGPORT" -U postgres -n -c 1 -T "${PGBENCH_SECONDS:-10}" -f "$PGTMP/insert.sql" pgbench_ref 2>/dev/null \
  | awk '/^tps/ {print $3; exit}')
"${PSQL[@]}" -d postgres -c "DROP DATABASE pgbench_ref" >/dev/null
log "pgbench single-row INSERT, 1 client: ${PGBENCH_TPS} tps"

log "building benchmarks (Release)"
dotnet build "$HERE/Akka.Jobs.Benchmarks.csproj" -c Release -o "$PGTMP/bin" -v q -nologo >"$PGTMP/build.log" 2>&1 \
  || { cat "$PGTMP/build.log" >&2; exit 1; }

MACHINE="cores=$(nproc) mem=$(free -g | awk '/^Mem:/ {print $2}')G pg=$("${PSQL[@]}" -d postgres -c 'SHOW server_version') pgbench_insert_tps=${PGBENCH_TPS} date=$(date -u +%FT%TZ)"
log "machine: $MACHINE"
set +e
(cd "$PGTMP" && dotnet "$PGTMP/bin/akka-jobs-bench.dll" \
  --pg "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres;Timeout=30;Command Timeout=300" \
  --out "$OUT" "$@")
rc=$?
set -e
if [ -f "$OUT" ]; then
  python3 - "$OUT" "$MACHINE" <<'PY' 2>/dev/null || true
import json, sys
p, m = sys.argv[1], sys.argv[2]
d = json.load(open(p)); d["machine"] = m; json.dump(d, open(p, "w"), indent=2)
PY
  log "raw results: $OUT"
fi
log "machine: $MACHINE"
exit $rc
