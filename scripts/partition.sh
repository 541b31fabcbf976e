#!/usr/bin/env bash
# Partition test (root only): three nodes, each in its own network namespace, PostgreSQL in the root
# namespace. Cuts the node hosting the scheduler off from the two others (node<->node traffic only:
# every node still reaches PostgreSQL) for ~40 s, heals, and checks the README's partition guarantee ("What is guaranteed, and how"): the
# minority side stops creating runs once the split-brain resolver (keep-majority) has decided, and no
# scheduled time is run twice or lost.
#
#   sudo scripts/partition.sh [--cut 40] [--noop-jobs 50] [--shell-jobs 5] [--settle 20] [--app <published dir>]
#
# Environment: PART_CUT, PART_NOOP_JOBS, PART_SHELL_JOBS, PART_SETTLE, PART_APP (skip the publish),
# PART_SUBNET_PREFIX (default 10.213.0: the /24 used on the private bridge).
#
# Network: bridge ajbr0 = <prefix>.1/24 in the root namespace (PostgreSQL listens there); namespaces
# ajns1..ajns3, each with a veth pair (ajv<N> on the bridge, eth0 = <prefix>.1<N> inside). Nothing is
# routed out of the subnet. The cut uses blackhole routes: inside the minority namespace a blackhole
# /32 route for each other node's address, and in each majority namespace one for the minority's
# address. Local sends to a blackholed address fail at once and inbound packets are never answered,
# so Akka remoting between the two sides stops, while the route to PostgreSQL (<prefix>.1) is left
# alone. (No iptables/nft on this machine; `ip link set down` or netem loss would also cut PostgreSQL.)
# Exit code: 0 when no duplicate, no missed time and no run the minority decided after it was downed
# (dated by the leader's "Marking … as [Down]" log line; a run it decided before, prepared ahead, may
# start at its scheduled time after that and is reported separately); 1 otherwise.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
. "$HERE/lib/pg.sh"

CUT=${PART_CUT:-40}
NOOP_JOBS=${PART_NOOP_JOBS:-50}
SHELL_JOBS=${PART_SHELL_JOBS:-5}
SETTLE=${PART_SETTLE:-20}
APP=${PART_APP:-}
NET=${PART_SUBNET_PREFIX:-10.213.0}
BR=ajbr0
NODE_COUNT=3

while [ $# -gt 0 ]; do
  case "$1" in
    --cut) CUT=$2; shift 2 ;;
    --noop-jobs) NOOP_JOBS=$2; shift 2 ;;
    --shell-jobs) SHELL_JOBS=$2; shift 2 ;;
    --settle) SETTLE=$2; shift 2 ;;
    --app) APP=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "partition.sh needs root (network namespaces)" >&2; exit 2; }
command -v ip >/dev/null || { echo "iproute2 ('ip') is not installed" >&2; exit 2; }

RUN_DIR="$(mktemp -d /tmp/akka-jobs-partition.XXXXXX)"
mkdir -p "$RUN_DIR/logs" "$RUN_DIR/dumps"
. "$HERE/lib/cluster.sh"
DB_CONN=""
FAILED=1
CLEANED=0
NET_MADE=()       # what we created, torn down in reverse

net_teardown() {
  local i
  for i in 1 2 3; do
    if ip netns list 2>/dev/null | grep -qw "ajns$i"; then
      # processes still inside our namespace (only ours can be there): end them by pid
      for p in $(ip netns pids "ajns$i" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    fi
  done
  for item in $(printf '%s\n' "${NET_MADE[@]}" | tac); do
    case "$item" in
      ns:*) ip netns del "${item#ns:}" 2>/dev/null || say "could not delete namespace ${item#ns:}" ;;
      link:*) ip link del "${item#link:}" 2>/dev/null || true ;;
    esac
  done
  NET_MADE=()
}

cleanup() {
  [ "$CLEANED" -eq 1 ] && return 0
  CLEANED=1
  local i
  for i in 1 2 3; do node_stop "$i" 10 || true; done
  pg_stop keep-log "$RUN_DIR/logs" || true
  net_teardown
  rm -rf "$RUN_DIR/app"
  if [ "$FAILED" -eq 0 ]; then
    rm -rf "$RUN_DIR"
  else
    say "run FAILED or was interrupted: logs, history dumps and meta.json kept in $RUN_DIR"
  fi
}
trap 'rc=$?; cleanup; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "run folder: $RUN_DIR (node logs: $RUN_DIR/logs)"

# ---------------------------------------------------------------- network
for i in 1 2 3; do
  if ip netns list | grep -qw "ajns$i"; then say "namespace ajns$i already exists: not touching it"; exit 1; fi
  if ip link show "ajv$i" >/dev/null 2>&1; then say "link ajv$i already exists: not touching it"; exit 1; fi
done
if ip link show "$BR" >/dev/null 2>&1; then say "bridge $BR already exists: not touching it"; exit 1; fi
if ip -4 addr show | grep -q "inet $NET\."; then say "$NET.0/24 is already in use on this machine: set PART_SUBNET_PREFIX"; exit 1; fi

step() { "$@" 2>"$RUN_DIR/logs/ip.err" || { say "FAILED: $* -> $(cat "$RUN_DIR/logs/ip.err")"; exit 1; }; }
step ip link add "$BR" type bridge; NET_MADE+=("link:$BR")
step ip addr add "$NET.1/24" dev "$BR"
step ip link set "$BR" up
for i in 1 2 3; do
  step ip netns add "ajns$i"; NET_MADE+=("ns:ajns$i")
  step ip link add "ajv$i" type veth peer name eth0 netns "ajns$i"; NET_MADE+=("link:ajv$i")
  step ip link set "ajv$i" master "$BR"
  step ip link set "ajv$i" up
  step ip -n "ajns$i" addr add "$NET.1$i/24" dev eth0
  step ip -n "ajns$i" link set eth0 up
  step ip -n "ajns$i" link set lo up
done
say "namespaces ajns1..3 on bridge $BR ($NET.0/24) ready"

# ---------------------------------------------------------------- build, database, nodes
if [ -z "$APP" ]; then
  say "publishing the Orchestrator to $RUN_DIR/app"
  if ! dotnet publish "$REPO/Orchestrator/Akka.Jobs.Orchestrator.csproj" -c Release -o "$RUN_DIR/app" >"$RUN_DIR/logs/publish.log" 2>&1; then
    tail -n 30 "$RUN_DIR/logs/publish.log" >&2; exit 1
  fi
  APP="$RUN_DIR/app"
fi
APP_DLL="$APP/akka-jobs.dll"
[ -f "$APP_DLL" ] || { say "$APP_DLL not found"; exit 1; }

pg_start "$NET.1" akka_jobs "$NET.0/24"
DB_CONN="$PG_CONN"
# reachability over the bridge (no ping here): every namespace opens a TCP connection to PostgreSQL;
# node<->node reachability is proven by the cluster forming below
for i in 1 2 3; do
  ip netns exec "ajns$i" timeout 5 bash -c "exec 3<>/dev/tcp/$NET.1/$PG_PORT" 2>/dev/null \
    || { say "ajns$i cannot reach PostgreSQL at $NET.1:$PG_PORT over the bridge"; exit 1; }
done
# No sample jobs: only the load we register, through curl as fast as the API answers, so the API's rate limit
# (sized for people and their scripts) is off.
printf 'akka.jobs.definitions {}\nakka.jobs.api.rate-limit.requests-per-second = 0\n' >"$RUN_DIR/node.hocon"
for i in 1 2 3; do
  NODE_HOST[$i]="$NET.1$i"
  NODE_PORT[$i]=4053
  NODE_HTTP_PORT[$i]=8080
  NODE_PREFIX[$i]="ip netns exec ajns$i"
done
for i in 1 2 3; do node_start "$i"; done
wait_all_up 120 || exit 1
say "cluster of 3 up"
register_load 1 "$NOOP_JOBS" "$SHELL_JOBS"
say "load running; 20 s before the cut"
sleep 20
read_history pre

# ---------------------------------------------------------------- cut
via=$(any_answering_node) || { say "no node answers"; exit 1; }
sched=$(cluster_view "$via" | cut -d' ' -f1)
M=$(addr_index "$sched") || { say "scheduler node '$sched' unknown"; exit 1; }
MAJ=(); for i in 1 2 3; do [ "$i" != "$M" ] && MAJ+=("$i"); done
say "minority = node $M ($sched, the scheduler's node); majority = nodes ${MAJ[*]}"

cut_routes() { # add|del
  local op=$1 j
  for j in "${MAJ[@]}"; do
    ip -n "ajns$M" route "$op" blackhole "${NODE_HOST[$j]}/32" || say "route $op in ajns$M failed"
    ip -n "ajns$j" route "$op" blackhole "${NODE_HOST[$M]}/32" || say "route $op in ajns$j failed"
  done
}
CUT_T=$(now_iso)
cut_routes add
say "CUT at $CUT_T: node $M <-> nodes ${MAJ[*]} blackholed (PostgreSQL still reachable from all)"

# Watch both sides during the cut (bounded by the cut length).
MAJ_UNREACH_T=""; MAJ_DOWNED_T=""; MAJ_NEWSCHED_T=""; MIN_SELFDOWN_T=""; MIN_EXIT_T=""
min_addr=$(node_addr "$M")
end=$(( $(now_s) + CUT ))
while [ "$(now_s)" -lt "$end" ]; do
  # majority view
  mv=$(api_curl -s --max-time 3 "$(node_url "${MAJ[0]}")/api/cluster" 2>/dev/null | ADDR="$min_addr" python3 -c '
import json, os, sys
try: c = json.load(sys.stdin)
except Exception: sys.exit(1)
a = os.environ["ADDR"]
m = [x for x in c["members"] if x["address"] == a]
state = "removed" if not m else ("unreachable-" + m[0]["status"] if not m[0]["reachable"] else m[0]["status"])
print(state, c.get("schedulerNode") or "-")' 2>/dev/null) || mv=""
  if [ -n "$mv" ]; then
    read -r st sn <<<"$mv"
    [ -z "$MAJ_UNREACH_T" ] && [ "$st" != "up" ] && MAJ_UNREACH_T=$(now_iso) && say "majority sees node $M: $st"
    [ -z "$MAJ_DOWNED_T" ] && { [ "$st" = "removed" ] || [[ "$st" == *down* ]]; } && MAJ_DOWNED_T=$(now_iso) && say "majority: node $M $st"
    [ -z "$MAJ_NEWSCHED_T" ] && [ "$sn" != "-" ] && [ "$sn" != "$min_addr" ] && MAJ_NEWSCHED_T=$(now_iso) && say "majority: scheduler node now $sn"
  fi
  # minority view of itself
  if [ -z "$MIN_EXIT_T" ] && ! node_alive "$M"; then MIN_EXIT_T=$(now_iso); say "minority node $M process exited"; fi
  if [ -z "$MIN_SELFDOWN_T" ]; then
    sv=$(api_curl -s --max-time 3 "$(node_url "$M")/api/cluster" 2>/dev/null | python3 -c '
import json, sys
try: c = json.load(sys.stdin)
except Exception: print("no-answer"); sys.exit(0)
me = [x for x in c["members"] if x["address"] == c["self"]]
print(me[0]["status"] if me else "removed")' 2>/dev/null) || sv="no-answer"
    if [ "$sv" != "up" ]; then MIN_SELFDOWN_T=$(now_iso); say "minority node $M sees itself: $sv"; fi
  fi
  sleep 0.5
done
cut_routes del
HEAL_T=$(now_iso)
say "HEALED at $HEAL_T"

# ---------------------------------------------------------------- heal, rejoin, settle
# The downed minority cannot come back as the same incarnation: restart it (same arguments).
if node_alive "$M"; then
  say "minority node $M is still running after being downed: stopping it"
  node_stop "$M" 30
fi
node_start "$M"
REJOIN_OK=1
REJOIN_T=""
if wait_all_up 120; then REJOIN_T=$(now_iso); else REJOIN_OK=0; fi
[ "$REJOIN_OK" -eq 1 ] && say "all 3 nodes up again" || say "node $M did not rejoin within 120 s"
CUTOFF=$(now_iso)
sleep "$SETTLE"
read_history final
printf '%s\t%s\t%s\t%s\t%s\t%s\n' 1 partition "$CUT_T" "$min_addr" "$MAJ_NEWSCHED_T" "$REJOIN_T" >"$RUN_DIR/kills.tsv"
# "SBR decided": the earlier of the majority marking the minority down and the minority seeing itself not up
DOWNED="${MAJ_DOWNED_T:-}"
if [ -n "$MIN_SELFDOWN_T" ] && { [ -z "$DOWNED" ] || [[ "$MIN_SELFDOWN_T" < "$DOWNED" ]]; }; then DOWNED="$MIN_SELFDOWN_T"; fi
EXTRA=$(MIN="$min_addr" CUT="$CUT_T" HEAL="$HEAL_T" DOWN="$DOWNED" python3 -c '
import json, os
print(json.dumps({"partition": {"minorityNode": os.environ["MIN"], "cutUtc": os.environ["CUT"],
                                "healUtc": os.environ["HEAL"], "minorityDownedUtc": os.environ["DOWN"] or None}}))')
write_meta "$CUTOFF" "$EXTRA"
say "stopping the nodes gracefully"
for i in 1 2 3; do node_stop "$i" 30; done

rc=0
python3 "$HERE/lib/analyze_runs.py" "$RUN_DIR" | tee "$RUN_DIR/figures.txt" || rc=$?
echo "partition timeline: cut $CUT_T; majority saw the minority unreachable ${MAJ_UNREACH_T:-never}, downed/removed ${MAJ_DOWNED_T:-never}, schedulerNode changed (the singleton starts down-removal-margin after the removal) ${MAJ_NEWSCHED_T:-never}; minority saw itself not up ${MIN_SELFDOWN_T:-never}, process exited ${MIN_EXIT_T:-no}; healed $HEAL_T"
if [ -z "${MAJ_DOWNED_T:-}" ]; then echo "the majority never downed the minority during the cut"; rc=1; fi
if [ "$REJOIN_OK" -ne 1 ]; then echo "the minority node failed to rejoin after the heal"; rc=1; fi
[ "$rc" -eq 0 ] && FAILED=0
echo "run folder: $RUN_DIR ($([ "$FAILED" -eq 0 ] && echo 'removed: the run passed' || echo 'kept: the run failed'))"
exit "$rc"
