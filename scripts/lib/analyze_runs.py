#!/usr/bin/env python3
"""Checks run histories dumped by scripts/chaos.sh and scripts/partition.sh (stdlib only).

Usage: analyze_runs.py <run-dir> [--json]

<run-dir> holds:
  meta.json           {"jobs": {"<id>": {"registeredUtc": ISO, "everySeconds": 1}},
                       "cutoffUtc": ISO,                 # expected times are checked up to here
                       "kills": [{"round": 1, "timeUtc": ISO, "nodes": [addr, ...],
                                  "newSchedulerUtc": ISO|null, "rejoinedUtc": ISO|null}],
                       "partition": {"minorityNode": addr, "cutUtc": ISO, "healUtc": ISO,
                                     "minorityDownedUtc": ISO|null}}      # optional
  dumps/<seq>/<job>.json   the JSON array returned by GET /api/jobs/<job>/runs?limit=500, one folder
                           per read (read in name order; a later read of a run id replaces an earlier)
  marks.txt           optional: one line per handler execution, "<runId> <attempt> <epoch-seconds>"
  logs/*.log          optional: node logs; a "Run started … run=<id>" line dates when a node's supervisor
                      decided (stored) the run, which for a run prepared ahead is before its start

Figures: expected scheduled times, records, runs, duplicates, missed, skipped by reason,
interrupted, per-kill gap (seconds from the kill to the first run of any job started after it).
Exit code 1 if duplicates > 0 or missed > 0 (or, with a partition, runs the minority decided after it
was downed > 0; a run it decided before and started at its scheduled time after is reported, not failed).
"""
import json
import math
import os
import re
import statistics
import sys
from collections import Counter, defaultdict
from datetime import datetime, timezone

_ISO = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")


def ts(value):
    """ISO-8601 → epoch seconds (float). Accepts 7 fractional digits (.NET) and Z or +00:00."""
    if value is None:
        return None
    m = _ISO.match(value.strip())
    if not m:
        raise ValueError(f"not an ISO-8601 timestamp: {value!r}")
    base, frac, zone = m.groups()
    dt = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S")
    if zone in (None, "Z"):
        dt = dt.replace(tzinfo=timezone.utc)
    else:
        dt = datetime.fromisoformat(base + zone)
    return dt.timestamp() + (float("0." + frac) if frac else 0.0)


def iso(epoch):
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def load(run_dir):
    with open(os.path.join(run_dir, "meta.json")) as f:
        meta = json.load(f)
    dumps_dir = os.path.join(run_dir, "dumps")
    reads = []  # (seq, job, list)
    if os.path.isdir(dumps_dir):
        for seq in sorted(os.listdir(dumps_dir)):
            d = os.path.join(dumps_dir, seq)
            if not os.path.isdir(d):
                continue
            for name in sorted(os.listdir(d)):
                if not name.endswith(".json"):
                    continue
                path = os.path.join(d, name)
                try:
                    with open(path) as f:
                        data = json.load(f)
                except (OSError, ValueError):
                    continue  # a read that failed mid-way (node killed): the next read covers it
                if isinstance(data, list):
                    reads.append((seq, name[:-5], data))
    marks = []
    mpath = os.path.join(run_dir, "marks.txt")
    if os.path.exists(mpath):
        with open(mpath) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    marks.append((parts[0], int(parts[1]), float(parts[2])))
    return meta, reads, marks, load_decisions(run_dir)


# [INFO][11/25/2026 16:41:05.508Z][Thread 0022][akka.tcp://akka-jobs@10.213.0.11:4053/system/…] Run started job=… run=<id> …
_DECIDED = re.compile(r"^\[INFO\]\[(\d\d/\d\d/\d{4} \d\d:\d\d:\d\d(?:\.\d+)?)Z\]\[[^\]]*\]\[(akka(?:\.ssl)?\.tcp://[^/\]]+)[^\]]*\] Run started job=\S+ run=(\S+)")


# [INFO][…16:41:05.642Z][…][Cluster (akka://akka-jobs)] Cluster Node [<leader>] - Marking unreachable node [<addr>] as [Down]
_MARKED_DOWN = re.compile(r"^\[\w+\]\[(\d\d/\d\d/\d{4} \d\d:\d\d:\d\d(?:\.\d+)?)Z\].* Marking unreachable node \[(akka(?:\.ssl)?\.tcp://[^\]]+)\] as \[Down\]")


def _log_time(text):
    when = datetime.strptime(text, "%m/%d/%Y %H:%M:%S.%f" if "." in text else "%m/%d/%Y %H:%M:%S")
    return when.replace(tzinfo=timezone.utc).timestamp()


def load_decisions(run_dir):
    """From the node logs: (node address, run id) -> epoch of the first "Run started" line, i.e. when that
    node's supervisor applied RunAccepted; and ("down", node address) -> when a leader first marked it Down."""
    decided = {}
    logs = os.path.join(run_dir, "logs")
    if not os.path.isdir(logs):
        return decided
    for name in sorted(os.listdir(logs)):
        if not name.endswith(".log"):
            continue
        with open(os.path.join(logs, name), errors="replace") as f:
            for line in f:
                m = _DECIDED.match(line)
                if m:
                    key, epoch = (m.group(2), m.group(3)), _log_time(m.group(1))
                elif "as [Down]" in line and (d := _MARKED_DOWN.match(line)):
                    key, epoch = ("down", d.group(2)), _log_time(d.group(1))
                else:
                    continue
                decided[key] = min(decided.get(key, epoch), epoch)
    return decided


def analyze(meta, reads, marks, decided=None):
    decided = decided or {}
    problems = []            # human-readable evidence lines
    dup_events = 0
    # 1. duplicates inside one read: the same run id twice in one answer (two run ids for one time are
    #    found after the merge below)
    for seq, job, data in reads:
        ids = Counter(r.get("runId") for r in data)
        for rid, n in ids.items():
            if n > 1:
                dup_events += n - 1
                problems.append(f"duplicate: read {seq} job {job}: run id {rid} listed {n} times")

    # 2. merge reads: the latest read of a run id wins
    merged = defaultdict(dict)   # job -> runId -> record
    for seq, job, data in reads:
        for r in data:
            merged[job][r["runId"]] = r

    jobs_meta = meta.get("jobs", {})
    cutoff = ts(meta["cutoffUtc"])
    figures = {
        "jobs": len(jobs_meta), "expected": 0, "records": 0, "runs": 0, "duplicates": 0,
        "duplicate_executions": 0, "missed": 0, "skipped_by_reason": {}, "skipped_times": 0,
        "interrupted": 0, "status": {}, "triggers": {},
    }
    skipped_by_reason = Counter()
    status = Counter()
    triggers = Counter()
    run_starts = []          # (startedUtc epoch, job, runId, node)
    sched_starts = []        # (startedUtc epoch, scheduledUtc epoch) of runs
    records_by_id = {}
    for job in sorted(set(merged) | set(jobs_meta)):
        recs = list(merged.get(job, {}).values())
        figures["records"] += len(recs)
        every = float(jobs_meta.get(job, {}).get("everySeconds", 1))
        coverage = defaultdict(list)   # scheduled epoch (rounded ms) -> records covering it
        for r in recs:
            records_by_id[r["runId"]] = r
            st = r.get("status")
            status[st] += 1
            triggers[r.get("trigger")] += 1
            t0 = ts(r["scheduledUtc"])
            n = int(r.get("skippedTimes") or 1)
            if st == "skipped":
                skipped_by_reason[r.get("reason") or "?"] += n
                figures["skipped_times"] += n
                for k in range(max(n, 1)):
                    coverage[round((t0 + k * every) * 1000)].append(r)
            else:
                figures["runs"] += 1
                if st == "interrupted":
                    figures["interrupted"] += 1
                if r.get("startedUtc"):
                    run_starts.append((ts(r["startedUtc"]), job, r["runId"], r.get("node")))
                    sched_starts.append((ts(r["startedUtc"]), t0))
                if r.get("trigger") != "manual":
                    coverage[round(t0 * 1000)].append(r)
        # a scheduled time decided twice (two run ids, or a run and a skip, or two skips)
        for key, lst in sorted(coverage.items()):
            if len(lst) > 1:
                figures["duplicates"] += len(lst) - 1
                problems.append(f"duplicate: job {job} scheduledUtc {iso(key / 1000)} decided {len(lst)} times: {json.dumps(lst)}")
        # missed: expected times without any record
        if job in jobs_meta:
            reg = ts(jobs_meta[job]["registeredUtc"])
            first = math.floor((reg + 1.0) / every + 1e-9) * every
            if first < reg + 1.0 - 1e-9:
                first += every
            t = first
            missed_here = []
            while t <= cutoff + 1e-9:
                figures["expected"] += 1
                if round(t * 1000) not in coverage:
                    missed_here.append(t)
                t += every
            figures["missed"] += len(missed_here)
            if missed_here:
                near = sorted(recs, key=lambda r: ts(r["scheduledUtc"]))
                for mt in missed_here[:5]:
                    around = [r for r in near if abs(ts(r["scheduledUtc"]) - mt) <= 3 * every + 0.001]
                    problems.append(f"missed: job {job} scheduledUtc {iso(mt)}; records nearby: {json.dumps(around)}")
                if len(missed_here) > 5:
                    problems.append(f"missed: job {job}: {len(missed_here) - 5} more missed times, last {iso(missed_here[-1])}")
    dup_records = figures["duplicates"] + dup_events

    # 3. handler executions (shell jobs write a mark per execution): beyond the recorded attempts = duplicate
    if marks:
        per_attempt = Counter((rid, att) for rid, att, _ in marks)
        per_run = Counter(rid for rid, _, _ in marks)
        figures["handler_executions"] = len(marks)
        for (rid, att), n in sorted(per_attempt.items()):
            if n > 1:
                figures["duplicate_executions"] += n - 1
                ex = ", ".join(f"{iso(e)}" for r2, a2, e in sorted(marks, key=lambda m: m[2]) if r2 == rid and a2 == att)
                problems.append(f"duplicate execution: {rid} attempt {att} executed {n} times (at {ex}); record: {json.dumps(records_by_id.get(rid))}")
        figures["attempts_underreported"] = 0
        for rid, n in sorted(per_run.items()):
            rec = records_by_id.get(rid)
            if rec is None:
                if min(e for r2, _, e in marks if r2 == rid) >= cutoff:
                    continue  # started after the cutoff, after the last read
                problems.append(f"note: {rid} executed {n} times but its record is not in the history read")
                continue
            job = rec.get("jobId") or rid.split("@")[0]
            max_att = int(jobs_meta.get(job, {}).get("maxAttempts") or 0)
            distinct = sorted({a for r2, a, _ in marks if r2 == rid})
            if max_att and len(distinct) > max_att:
                # more distinct attempts than the retry policy allows
                figures["duplicate_executions"] += len(distinct) - max_att
                problems.append(f"duplicate execution: {rid} ran attempts {distinct}, policy allows {max_att}: {json.dumps(rec)}")
            if rec.get("status") in ("running", "queued"):
                continue  # attempts of a run in flight may still be counting
            if len(distinct) > int(rec.get("attempts") or 0):
                # the handler ran more attempts than the record admits (an execution whose outcome was
                # lost with a killed supervisor, then re-dispatched: at least once, but not reported)
                figures["attempts_underreported"] += 1
                ex = ", ".join(f"attempt {a} at {iso(e)}" for r2, a, e in sorted(marks, key=lambda m: m[2]) if r2 == rid)
                problems.append(f"attempts under-reported: {rid} executed {ex}; record says attempts={rec.get('attempts')}, status {rec.get('status')}")
    figures["duplicate_records"] = dup_records
    figures["duplicates"] = dup_records + figures["duplicate_executions"]

    figures["skipped_by_reason"] = dict(skipped_by_reason)
    figures["status"] = dict(status)
    figures["triggers"] = dict(triggers)

    # 4. gaps after each kill
    run_starts.sort()
    starts = [s for s, _, _, _ in run_starts]
    import bisect
    kills = []
    for k in meta.get("kills", []):
        kt = ts(k["timeUtc"])
        i = bisect.bisect_right(starts, kt)
        if i < len(starts):
            s, job, rid, node = run_starts[i]
            gap = s - kt
        else:
            s, job, rid, node, gap = None, None, None, None, None
        ns = ts(k.get("newSchedulerUtc"))
        # fail-over pause proper: first start of a run whose scheduled time is after the kill
        later = [st for st, sc in sched_starts if sc > kt and st > kt]
        gap_new = round(min(later) - kt, 3) if later else None
        kills.append({
            "round": k.get("round"), "killUtc": k["timeUtc"], "nodes": k.get("nodes"), "kind": k.get("kind"),
            "gap": None if gap is None else round(gap, 3), "gapNewTime": gap_new, "firstRun": rid, "firstRunNode": node,
            "newSchedulerAfter": None if ns is None else round(ns - kt, 1),
            "rejoinedAfter": None if k.get("rejoinedUtc") is None else round(ts(k["rejoinedUtc"]) - kt, 1),
        })
    figures["kills"] = kills
    gaps = [k["gap"] for k in kills if k["gap"] is not None]
    figures["kill_count"] = len(kills)
    figures["gap_median"] = round(statistics.median(gaps), 3) if gaps else None
    figures["gap_max"] = round(max(gaps), 3) if gaps else None
    sched_gaps = [k["gap"] for k in kills if k["gap"] is not None and k.get("kind") != "other"]
    figures["scheduler_kill_gap_median"] = round(statistics.median(sched_gaps), 3) if sched_gaps else None
    new_gaps = [k["gapNewTime"] for k in kills if k["gapNewTime"] is not None]
    figures["gap_new_time_median"] = round(statistics.median(new_gaps), 3) if new_gaps else None
    figures["gap_new_time_max"] = round(max(new_gaps), 3) if new_gaps else None

    # 5. partition: runs the minority node started after it was downed, while the cut lasted. A run's
    #    `node` is the node whose worker ran its (last) attempt, not the supervisor's node.
    part = meta.get("partition")
    if part:
        node = part["minorityNode"]
        cut, heal = ts(part["cutUtc"]), ts(part["healUtc"])
        downed = ts(part.get("minorityDownedUtc")) if part.get("minorityDownedUtc") else None
        # The leader's log dates the down decision itself; the harness polls the API and sees it later.
        if ("down", node) in decided:
            downed = min(downed, decided[("down", node)]) if downed is not None else decided[("down", node)]
        during = [(s, j, rid) for s, j, rid, n in run_starts if n == node and cut <= s <= heal]
        started_after = [(s, j, rid) for s, j, rid in during if downed is not None and s >= downed]
        # A run prepared ahead (prepare-ahead) is decided and stored before its time and starts at the time;
        # one the minority decided before it was downed may start up to prepare-ahead after. The guarantee
        # is about deciding runs: the majority's supervisors find the decision in the journal and do not
        # run that time again (duplicates are checked above). Without a node log line, count it as after.
        prepared = [(s, j, rid) for s, j, rid in started_after if decided.get((node, rid), math.inf) < downed]
        after_down = [x for x in started_after if x not in prepared]
        figures["partition"] = {
            "minorityNode": node, "cutUtc": part["cutUtc"], "healUtc": part["healUtc"],
            "minorityDownedUtc": iso(downed) if downed is not None else None,
            "minority_runs_during_cut": len(during),
            "minority_runs_after_downed": len(after_down),
            "minority_prepared_before_down_started_after": len(prepared),
            "last_minority_run_in_cut": iso(max((s for s, _, _ in during), default=None)) if during else None,
        }
        for s, j, rid in after_down[:10]:
            problems.append(f"split-brain: minority node {node} started {rid} at {iso(s)} (decided {iso(decided.get((node, rid)))}), after it was downed at {iso(downed)}")
    return figures, problems


def report(figures, problems, out=sys.stdout):
    p = lambda *a: print(*a, file=out)
    p("==================== figures ====================")
    p(f"jobs checked:                {figures['jobs']}")
    p(f"scheduled times expected:    {figures['expected']}")
    p(f"records found:               {figures['records']}  (skipped records stand for {figures['skipped_times']} times)")
    p(f"runs:                        {figures['runs']}")
    if "handler_executions" in figures:
        p(f"shell handler executions:    {figures['handler_executions']}  (finished runs whose record shows fewer attempts than ran: {figures.get('attempts_underreported', 0)})")
    p(f"duplicates:                  {figures['duplicates']}  (of which handler executions: {figures['duplicate_executions']}, i.e. one (run, attempt) executed twice or more attempts than the retry policy allows)")
    p(f"  duplicate records/runs for one job+scheduledUtc: {figures['duplicate_records']}")
    p(f"missed:                      {figures['missed']}")
    p(f"skipped by reason:           {json.dumps(figures['skipped_by_reason'], sort_keys=True)}")
    p(f"interrupted:                 {figures['interrupted']}")
    p(f"records by status:           {json.dumps(figures['status'], sort_keys=True)}")
    p(f"records by trigger:          {json.dumps(figures['triggers'], sort_keys=True)}")
    if figures["kills"]:
        p(f"kills:                       {figures['kill_count']}")
        p("  gap = kill -> first run started after it; gap2 = kill -> first run of a time scheduled after the kill")
        p("  new-sched = kill -> survivors report another scheduler node (kind 'other': the victim removed)")
        p("  round kind       kill (UTC)                 gap(s) gap2(s) new-sched(s) rejoined(s)  nodes")
        for k in figures["kills"]:
            p(f"  {k['round']!s:>5} {str(k.get('kind') or ''):<10} {k['killUtc']:<25} {str(k['gap']):>7} {str(k['gapNewTime']):>7} {str(k['newSchedulerAfter']):>12} {str(k['rejoinedAfter']):>11}  {' '.join(k['nodes'] or [])}")
        p(f"gap median / max:            {figures['gap_median']} s / {figures['gap_max']} s"
          + (f"  (scheduler-node kills only: median {figures['scheduler_kill_gap_median']} s)" if figures.get('scheduler_kill_gap_median') is not None else ""))
        p(f"gap2 median / max:           {figures['gap_new_time_median']} s / {figures['gap_new_time_max']} s")
    if "partition" in figures:
        pa = figures["partition"]
        p(f"partition: minority node     {pa['minorityNode']}")
        p(f"  cut {pa['cutUtc']} .. heal {pa['healUtc']}, minority downed at {pa['minorityDownedUtc']}")
        p(f"  minority runs during the cut:        {pa['minority_runs_during_cut']} (last started {pa['last_minority_run_in_cut']})")
        p(f"  minority runs decided after it was downed: {pa['minority_runs_after_downed']}")
        p(f"  decided before it was downed, started at their time after: {pa.get('minority_prepared_before_down_started_after', 0)}")
    if problems:
        p("-------------------- evidence --------------------")
        for line in problems[:60]:
            p(line)
        if len(problems) > 60:
            p(f"... {len(problems) - 60} more")


def verdict(figures):
    bad = figures["duplicates"] > 0 or figures["missed"] > 0
    if "partition" in figures and figures["partition"]["minority_runs_after_downed"] > 0:
        bad = True
    return 1 if bad else 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    meta, reads, marks, decided = load(argv[1])
    figures, problems = analyze(meta, reads, marks, decided)
    if "--json" in argv:
        json.dump({"figures": figures, "problems": problems}, sys.stdout, indent=2)
        print()
    else:
        report(figures, problems)
    rc = verdict(figures)
    print(f"RESULT: {'FAIL' if rc else 'PASS'} (duplicates={figures['duplicates']}, missed={figures['missed']})")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
