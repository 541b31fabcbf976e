#!/usr/bin/env bash
# Chaos test: kill -9 the node hosting the scheduler singleton, again and again, under load, and check
# that every scheduled time is decided exactly once (README, "What is guaranteed, and how": no time lost, none run twice, runs survive a crash).
#
#   scripts/chaos.sh [--duration 300] [--rounds 10] [--interval 25] [--noop-jobs 50] [--shell-jobs 5]
#                    [--nodes 3] [--settle 15] [--app <published dir>]
#
# Same settings as environment variables: CHAOS_DURATION, CHAOS_ROUNDS, CHAOS_INTERVAL,
# CHAOS_NOOP_JOBS, CHAOS_SHELL_JOBS, CHAOS_NODES, CHAOS_SETTLE, CHAOS_APP (skip the publish step).
#
# What it does: publishes the Orchestrator once, starts a throwaway PostgreSQL (fsync on), starts the
# nodes on 127.0.0.1 (every node gets every seed), registers the load (every-1s noop jobs, every-1s
# 2-second shell jobs with retries), then every --interval seconds until --duration has passed and at
# least --rounds rounds were made: finds the scheduler's node through /api/cluster, kill -9s it (with
# 5+ nodes, every third round also a second node; with 3 nodes, every third round kills a non-scheduler
# node after the first one is back, never two at once: 2 of 3 would be the majority), waits for a new
# scheduler node, restarts the killed node with the same arguments and waits until all are up again.
# History is read every ~60 s and at the end; scripts/lib/analyze_runs.py prints the figures.
# Exit code: 0 when no duplicate, no missed time and every node rejoined; 1 otherwise; 2 on bad usage.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
. "$HERE/lib/pg.sh"

DURATION=${CHAOS_DURATION:-300}
ROUNDS=${CHAOS_ROUNDS:-10}
INTERVAL=${CHAOS_INTERVAL:-25}
NOOP_JOBS=${CHAOS_NOOP_JOBS:-50}
SHELL_JOBS=${CHAOS_SHELL_JOBS:-5}
NODE_COUNT=${CHAOS_NODES:-3}
SETTLE=${CHAOS_SETTLE:-15}
APP=${CHAOS_APP:-}
READ_EVERY=60

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --interval) INTERVAL=$2; shift 2 ;;
    --noop-jobs) NOOP_JOBS=$2; shift 2 ;;
    --shell-jobs) SHELL_JOBS=$2; shift 2 ;;
    --nodes) NODE_COUNT=$2; shift 2 ;;
    --settle) SETTLE=$2; shift 2 ;;
    --app) APP=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$NODE_COUNT" -ge 3 ] || { echo "--nodes must be at least 3" >&2; exit 2; }

RUN_DIR="$(mktemp -d /tmp/akka-jobs-chaos.XXXXXX)"
mkdir -p "$RUN_DIR/logs" "$RUN_DIR/dumps"
. "$HERE/lib/cluster.sh"
DB_CONN=""
FAILED=1          # until the analysis says otherwise
CLEANED=0

cleanup() {
  [ "$CLEANED" -eq 1 ] && return 0
  CLEANED=1
  local i
  for i in $(seq 1 "$NODE_COUNT"); do node_stop "$i" 10 || true; done
  pg_stop keep-log "$RUN_DIR/logs" || true
  rm -rf "$RUN_DIR/app"
  if [ "$FAILED" -eq 0 ]; then
    rm -rf "$RUN_DIR"
  else
    say "run FAILED or was interrupted: logs, history dumps and meta.json kept in $RUN_DIR"
    say "  re-analyse with: python3 $HERE/lib/analyze_runs.py $RUN_DIR"
  fi
}
trap 'rc=$?; cleanup; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "run folder: $RUN_DIR (node logs: $RUN_DIR/logs)"

# ---------------------------------------------------------------- build once
if [ -z "$APP" ]; then
  say "publishing the Orchestrator to $RUN_DIR/app"
  if ! dotnet publish "$REPO/Orchestrator/Akka.Jobs.Orchestrator.csproj" -c Release -o "$RUN_DIR/app" >"$RUN_DIR/logs/publish.log" 2>&1; then
    tail -n 30 "$RUN_DIR/logs/publish.log" >&2; exit 1
  fi
  APP="$RUN_DIR/app"
fi
APP_DLL="$APP/akka-jobs.dll"
[ -f "$APP_DLL" ] || { say "$APP_DLL not found"; exit 1; }

# ---------------------------------------------------------------- database and nodes
pg_start 127.0.0.1 akka_jobs
DB_CONN="$PG_CONN"
# No sample jobs: only the load we register, through curl as fast as the API answers, so the API's rate limit
# (sized for people and their scripts) is off.
printf 'akka.jobs.definitions {}\nakka.jobs.api.rate-limit.requests-per-second = 0\n' >"$RUN_DIR/node.hocon"

for i in $(seq 1 "$NODE_COUNT"); do
  NODE_HOST[$i]=127.0.0.1
  NODE_PORT[$i]=$(pg_pick_port 127.0.0.1)
  NODE_HTTP_PORT[$i]=$(pg_pick_port 127.0.0.1)
done
for i in $(seq 1 "$NODE_COUNT"); do node_start "$i"; done
wait_all_up 120 || exit 1
say "cluster of $NODE_COUNT up"

register_load 1 "$NOOP_JOBS" "$SHELL_JOBS"
: >"$RUN_DIR/kills.tsv"

# ---------------------------------------------------------------- kill rounds
# Waits (at most $2 s) until a node not in the victims list ($3...) reports a scheduler node that is
# not one of the victims. Echoes the time it saw it.
wait_new_scheduler() {
  local old=$1 timeout=$2 deadline via cur; shift 2
  deadline=$(( $(now_s) + timeout ))
  while [ "$(now_s)" -lt "$deadline" ]; do
    if via=$(any_answering_node "$@"); then
      cur=$(cluster_view "$via" | cut -d' ' -f1) || cur=""
      if [ -n "$cur" ] && [ "$cur" != "-" ] && [ "$cur" != "$old" ]; then now_iso; return 0; fi
    fi
    sleep 0.25
  done
  return 1
}
# Waits (at most $2 s) until the survivors no longer list node $1's address as a reachable up member
# (it was downed and removed). Echoes the time.
wait_removed() {
  local victim=$1 timeout=$2 deadline via addr; deadline=$(( $(now_s) + timeout ))
  addr=$(node_addr "$victim")
  while [ "$(now_s)" -lt "$deadline" ]; do
    if via=$(any_answering_node "$victim"); then
      if ! api_curl -s --max-time 5 "$(node_url "$via")/api/cluster" | ADDR="$addr" python3 -c '
import json, os, sys
c = json.load(sys.stdin)
sys.exit(0 if any(m["address"] == os.environ["ADDR"] for m in c["members"]) else 1)' 2>/dev/null; then
        now_iso; return 0
      fi
    fi
    sleep 0.25
  done
  return 1
}

REJOIN_FAILURES=0
START=$(now_s)
LAST_READ=$START
round=0
MAX_ROUNDS=$(( ROUNDS * 3 + 10 ))
HARD_END=$(( START + DURATION * 3 + 300 ))
while { [ $(( $(now_s) - START )) -lt "$DURATION" ] || [ "$round" -lt "$ROUNDS" ]; } \
      && [ "$round" -lt "$MAX_ROUNDS" ] && [ "$(now_s)" -lt "$HARD_END" ]; do
  round=$((round + 1))
  round_start=$(now_s)
  via=$(any_answering_node) || { say "no node answers"; REJOIN_FAILURES=$((REJOIN_FAILURES + 1)); break; }
  read -r sched _ _ _ < <(cluster_view "$via") || true
  s_idx=$(addr_index "$sched") || { say "scheduler node '$sched' unknown"; sleep 2; continue; }
  victims=("$s_idx")
  if [ "$NODE_COUNT" -ge 5 ] && [ $((round % 3)) -eq 0 ]; then
    max_extra=$(( (NODE_COUNT - 1) / 2 - 1 ))
    others=(); for i in $(seq 1 "$NODE_COUNT"); do [ "$i" != "$s_idx" ] && others+=("$i"); done
    for k in $(seq 1 "$max_extra"); do
      [ "$k" -le 1 ] || break
      victims+=("${others[$((RANDOM % ${#others[@]}))]}")
    done
  fi
  addrs=$(for v in "${victims[@]}"; do node_addr "$v"; done | paste -sd, -)
  kill_t=$(now_iso)
  for v in "${victims[@]}"; do node_kill9 "$v"; done
  say "round $round: kill -9 of node(s) ${victims[*]} ($addrs); scheduler was node $s_idx"
  ns_t=$(wait_new_scheduler "$sched" 90 "${victims[@]}") || { ns_t=""; say "round $round: no new scheduler node within 90 s"; }
  [ -n "$ns_t" ] && say "round $round: new scheduler node seen at $ns_t"
  for v in "${victims[@]}"; do node_start "$v"; done
  if wait_all_up 120; then rj_t=$(now_iso); else rj_t=""; REJOIN_FAILURES=$((REJOIN_FAILURES + 1)); fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" scheduler "$kill_t" "$addrs" "$ns_t" "$rj_t" >>"$RUN_DIR/kills.tsv"
  [ -n "$rj_t" ] || { say "round $round: node(s) ${victims[*]} did not rejoin within 120 s: stopping the rounds"; break; }
  say "round $round: all $NODE_COUNT nodes up again at $rj_t"

  # With 3 nodes, every third round: kill a non-scheduler node on its own (it hosts supervisors and work).
  if [ "$NODE_COUNT" -lt 5 ] && [ $((round % 3)) -eq 0 ]; then
    sleep 3
    via=$(any_answering_node) && read -r sched _ _ _ < <(cluster_view "$via") || true
    s_idx=$(addr_index "$sched") || s_idx=1
    others=(); for i in $(seq 1 "$NODE_COUNT"); do [ "$i" != "$s_idx" ] && others+=("$i"); done
    o=${others[$((RANDOM % ${#others[@]}))]}
    kill_t=$(now_iso)
    node_kill9 "$o"
    say "round $round: kill -9 of non-scheduler node $o ($(node_addr "$o"))"
    rm_t=$(wait_removed "$o" 60) || { rm_t=""; say "round $round: node $o not removed within 60 s"; }
    node_start "$o"
    if wait_all_up 120; then rj_t=$(now_iso); else rj_t=""; REJOIN_FAILURES=$((REJOIN_FAILURES + 1)); fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" other "$kill_t" "$(node_addr "$o")" "$rm_t" "$rj_t" >>"$RUN_DIR/kills.tsv"
    [ -n "$rj_t" ] || { say "round $round: node $o did not rejoin within 120 s: stopping the rounds"; break; }
  fi

  if [ $(( $(now_s) - LAST_READ )) -ge "$READ_EVERY" ]; then
    read_history "r$round"
    LAST_READ=$(now_s)
  fi
  # next round INTERVAL s after this one began (at least 3 s of calm)
  rest=$(( round_start + INTERVAL - $(now_s) )); [ "$rest" -ge 3 ] || rest=3
  sleep "$rest"
done

CUTOFF=$(now_iso)
say "kill rounds over ($round rounds, $(wc -l <"$RUN_DIR/kills.tsv") kills); letting the load settle ${SETTLE}s"
sleep "$SETTLE"
read_history final
write_meta "$CUTOFF"
say "stopping the nodes gracefully"
for i in $(seq 1 "$NODE_COUNT"); do node_stop "$i" 30; done

# ---------------------------------------------------------------- analysis
rc=0
python3 "$HERE/lib/analyze_runs.py" "$RUN_DIR" | tee "$RUN_DIR/figures.txt" || rc=$?
echo "node restarts: $(for i in $(seq 1 "$NODE_COUNT"); do printf 'node%s=%s ' "$i" "$(( ${NODE_STARTS[$i]} - 1 ))"; done)"
if [ "$REJOIN_FAILURES" -gt 0 ]; then
  echo "nodes that failed to rejoin (or no node answered): $REJOIN_FAILURES"
  rc=1
fi
[ "$rc" -eq 0 ] && FAILED=0
echo "run folder: $RUN_DIR ($([ "$FAILED" -eq 0 ] && echo 'removed: the run passed' || echo 'kept: the run failed'))"
exit "$rc"
