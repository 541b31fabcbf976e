# shellcheck shell=bash
# Node process helpers shared by chaos.sh and partition.sh. Source after setting:
#   APP_DLL      path of the published akka-jobs.dll
#   RUN_DIR      the run's temp folder (logs/ dumps/ meta files go here)
#   NODE_COUNT   number of nodes; for i in 1..NODE_COUNT: NODE_HOST[i] NODE_PORT[i] NODE_HTTP_PORT[i]
#                and optionally NODE_PREFIX[i] (a command prefix such as "ip netns exec ns1")
#   DB_CONN      PostgreSQL connection string
# Needs openssl (scripts/make-certs.sh makes the run's remoting certificate in RUN_DIR/certs).
# Every wait here is bounded by a timeout and stops by itself.

declare -a NODE_PID NODE_HOST NODE_PORT NODE_HTTP_PORT NODE_PREFIX NODE_STARTS

say() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
now_iso() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
now_s() { date +%s; }

# The nodes' API needs a token when it listens beyond loopback (partition.sh's network namespaces): every node gets
# this run's admin token, and api_curl sends it.
CLUSTER_API_TOKEN="${CLUSTER_API_TOKEN:-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export AKKA_JOBS_API_TOKENS="[{\"name\":\"scripts\",\"role\":\"admin\",\"token\":\"${CLUSTER_API_TOKEN}\"}]"
api_curl() { curl -H "Authorization: Bearer ${CLUSTER_API_TOKEN}" "$@"; }

# Remoting is mutual TLS with a certificate made for this run: a node refuses plain remoting beyond loopback
# (partition.sh's namespaces), and the same setting on loopback (chaos.sh) keeps the two scripts alike.
"$(dirname "${BASH_SOURCE[0]}")/../make-certs.sh" "$RUN_DIR/certs" >/dev/null
export AKKA_JOBS_TLS_CERTIFICATE="$RUN_DIR/certs/node.pfx" AKKA_JOBS_TLS_PASSWORD_FILE="$RUN_DIR/certs/node.pfx.password"

# With TLS, Akka's addresses use the akka.ssl.tcp scheme (as the nodes report members).
node_addr() { echo "akka.ssl.tcp://akka-jobs@${NODE_HOST[$1]}:${NODE_PORT[$1]}"; }
node_url() { echo "http://${NODE_HOST[$1]}:${NODE_HTTP_PORT[$1]}"; }

all_seed_args() {
  local i
  for i in $(seq 1 "$NODE_COUNT"); do printf -- '--seed\n%s\n' "$(node_addr "$i")"; done
}

# Index of the node whose Akka address is $1 (empty if none).
addr_index() {
  local i
  for i in $(seq 1 "$NODE_COUNT"); do
    [ "$(node_addr "$i")" = "$1" ] && { echo "$i"; return 0; }
  done
  return 1
}

node_alive() { [ -n "${NODE_PID[$1]:-}" ] && kill -0 "${NODE_PID[$1]}" 2>/dev/null; }

# Starts node $1 in its own session (so the cleanup can end the shell children it leaves behind),
# appending its output to logs/node$1.log. The same arguments every time.
node_start() {
  local i=$1 log="$RUN_DIR/logs/node$1.log" seeds=()
  mapfile -t seeds < <(all_seed_args)
  NODE_STARTS[$i]=$(( ${NODE_STARTS[$i]:-0} + 1 ))
  echo "===== [$(now_iso)] start #${NODE_STARTS[$i]} of node $i ($(node_addr "$i"), $(node_url "$i"))" >>"$log"
  # shellcheck disable=SC2086
  ${NODE_PREFIX[$i]:-} setsid dotnet "$APP_DLL" run --config "$RUN_DIR/node.hocon" --db "$DB_CONN" \
    --port "${NODE_PORT[$i]}" --http "$(node_url "$i")" --hostname "${NODE_HOST[$i]}" "${seeds[@]}" \
    </dev/null >>"$log" 2>&1 &
  NODE_PID[$i]=$!
  say "node $i started (pid ${NODE_PID[$i]}, $(node_addr "$i"))"
}

node_kill9() {
  local i=$1
  node_alive "$i" || return 0
  kill -9 "${NODE_PID[$i]}" 2>/dev/null || true
  echo "===== [$(now_iso)] kill -9 of node $i by the test script" >>"$RUN_DIR/logs/node$i.log"
  wait "${NODE_PID[$i]}" 2>/dev/null || true
}

# Graceful stop: SIGTERM, up to $2 seconds (default 30), then SIGKILL. Also ends the node's session
# (shell handlers it left behind).
node_stop() {
  local i=$1 t=${2:-30} k pid=${NODE_PID[$1]:-}
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for k in $(seq 1 $((t * 4))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      say "node $i did not stop within ${t}s: SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  kill -9 -- "-$pid" 2>/dev/null || true   # its session's leftovers (orphaned shell handlers)
  NODE_PID[$i]=""
}

# One line "<schedulerNode> <up&reachable count> <member count> <unreachable count>" seen by node $1.
cluster_view() {
  local i=$1
  api_curl -s --max-time 5 "$(node_url "$i")/api/cluster" 2>/dev/null | python3 -c '
import json, sys
try:
    c = json.load(sys.stdin)
except Exception:
    sys.exit(1)
m = c.get("members", [])
up = sum(1 for x in m if x["status"] == "up" and x["reachable"])
unr = sum(1 for x in m if not x["reachable"])
print(c.get("schedulerNode") or "-", up, len(m), unr)'
}

# First alive node (other than the ones listed in $@) whose /api/cluster answers; echoes its index.
any_answering_node() {
  local i skip
  for i in $(seq 1 "$NODE_COUNT"); do
    for skip in "$@"; do [ "$i" = "$skip" ] && continue 2; done
    node_alive "$i" || continue
    cluster_view "$i" >/dev/null && { echo "$i"; return 0; }
  done
  return 1
}

# Waits (at most $1 s) until every node in 1..NODE_COUNT is alive, sees NODE_COUNT members up and
# reachable, and answers /readyz.
wait_all_up() {
  local timeout=$1 deadline=$(( $(now_s) + $1 )) i ok v
  while [ "$(now_s)" -lt "$deadline" ]; do
    ok=1
    for i in $(seq 1 "$NODE_COUNT"); do
      node_alive "$i" || { ok=0; break; }
      v=$(cluster_view "$i") || { ok=0; break; }
      set -- $v
      [ "$2" = "$NODE_COUNT" ] && [ "$3" = "$NODE_COUNT" ] || { ok=0; break; }
      curl -sf --max-time 5 "$(node_url "$i")/readyz" >/dev/null 2>&1 || { ok=0; break; }
    done
    [ "$ok" -eq 1 ] && return 0
    sleep 0.5
  done
  say "cluster not fully up after ${timeout}s"
  return 1
}

# Registers the load through node $1: $2 every-1s noop jobs, $3 every-1s shell jobs (2 s of work, fail
# attempt 1 for one second in five, retries). Each shell execution appends "<runId> <attempt> <epoch>"
# to $RUN_DIR/marks.txt. Writes $RUN_DIR/jobs.json: {id: {registeredUtc, everySeconds}}.
register_load() {
  local via=$1 noop=$2 shell=$3 id body code n
  : >"$RUN_DIR/jobs.tsv"
  for n in $(seq 1 "$noop"); do
    id=$(printf 'noop-%03d' "$n")
    body='{"schedule":"@every 1s","handler":"noop"}'
    code=$(api_curl -s -o /dev/null -w '%{http_code}' --max-time 15 -X PUT "$(node_url "$via")/api/jobs/$id" -H 'content-type: application/json' -d "$body")
    [ "$code" = 201 ] || [ "$code" = 200 ] || { say "PUT $id answered $code"; return 1; }
    printf '%s\t%s\t0\n' "$id" "$(now_iso)" >>"$RUN_DIR/jobs.tsv"
  done
  for n in $(seq 1 "$shell"); do
    id=$(printf 'shell-%03d' "$n")
    body=$(MARKS="$RUN_DIR/marks.txt" python3 -c '
import json, os
script = ("echo \"$AKKA_JOBS_RUN_ID $AKKA_JOBS_ATTEMPT $(date +%s.%N)\" >> " + os.environ["MARKS"] + "; sleep 2; "
          "[ \"$AKKA_JOBS_ATTEMPT\" -ge 2 ] || [ $(( $(date +%s) % 5 )) -ne 0 ]")
print(json.dumps({"schedule": "@every 1s", "handler": "shell", "timeout": "2m",
                  "parameters": {"command": "/bin/sh", "args": ["-c", script]},
                  "retry": {"maxAttempts": 3, "initialBackoff": "1s"}}))')
    code=$(api_curl -s -o /dev/null -w '%{http_code}' --max-time 15 -X PUT "$(node_url "$via")/api/jobs/$id" -H 'content-type: application/json' -d "$body")
    [ "$code" = 201 ] || [ "$code" = 200 ] || { say "PUT $id answered $code"; return 1; }
    printf '%s\t%s\t3\n' "$id" "$(now_iso)" >>"$RUN_DIR/jobs.tsv"
  done
  say "registered $noop noop + $shell shell jobs through node $via"
}

# Reads every job's history (limit 500) into dumps/<seq>/<job>.json through the first node that
# answers (skipping the ones listed after $1). A read that fails for one job is retried on the next node.
READ_SEQ=0
read_history() {
  local label=$1 dir id i ok tmp
  shift
  READ_SEQ=$((READ_SEQ + 1))
  dir="$RUN_DIR/dumps/$(printf '%04d' "$READ_SEQ")-$label"
  mkdir -p "$dir"
  while IFS=$'\t' read -r id _; do
    ok=0
    for i in $(seq 1 "$NODE_COUNT"); do
      for skip in "$@"; do [ "$i" = "$skip" ] && continue 2; done
      node_alive "$i" || continue
      tmp="$dir/.$id.tmp"
      if api_curl -sf --max-time 20 "$(node_url "$i")/api/jobs/$id/runs?limit=500" -o "$tmp" 2>/dev/null \
         && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if isinstance(d, list) else 1)' "$tmp" 2>/dev/null; then
        mv "$tmp" "$dir/$id.json"; ok=1; break
      fi
      rm -f "$tmp"
    done
    [ "$ok" -eq 1 ] || say "could not read the history of $id ($label)"
  done <"$RUN_DIR/jobs.tsv"
  say "history read $label: $(find "$dir" -name '*.json' | wc -l) jobs"
}

# meta.json for analyze_runs.py from jobs.tsv, kills.tsv and the cutoff; extra JSON (e.g. the
# partition block) can be passed as $2.
write_meta() {
  local cutoff=$1 extra=${2:-}
  CUTOFF="$cutoff" EXTRA="$extra" RUN_DIR="$RUN_DIR" python3 - <<'EOF'
import json, os
d = os.environ["RUN_DIR"]
jobs = {}
with open(os.path.join(d, "jobs.tsv")) as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        jobs[parts[0]] = {"registeredUtc": parts[1], "everySeconds": 1,
                          "maxAttempts": int(parts[2]) if len(parts) > 2 else 0}
kills = []
kp = os.path.join(d, "kills.tsv")
if os.path.exists(kp):
    with open(kp) as f:
        for line in f:
            rnd, kind, t, nodes, ns, rj = line.rstrip("\n").split("\t")
            kills.append({"round": int(rnd), "kind": kind, "timeUtc": t, "nodes": nodes.split(","),
                          "newSchedulerUtc": ns or None, "rejoinedUtc": rj or None})
meta = {"jobs": jobs, "cutoffUtc": os.environ["CUTOFF"], "kills": kills}
if os.environ.get("EXTRA"):
    meta.update(json.loads(os.environ["EXTRA"]))
with open(os.path.join(d, "meta.json"), "w") as f:
    json.dump(meta, f, indent=1)
EOF
}
