"""Benchmark: moving hundreds of S3 exports, this collection against what users do today and the floor.

    python tests/benchmark/run.py [--quick] [--flows N] [--latency-ms MS] [--forks N] [--approaches a,b,c,d,e]
                                  [--throttle-rps R] [--pipelining] [--json FILE]

Starts the emulator with ``--generate N --latency-ms MS`` (default 200 flows, 50 ms per request, as an API
across the internet). For each approach, on freshly reset data: scenario 1 moves every generated S3 export to a
new ``path``; scenario 2 runs the same again, with nothing left to change. Approaches:

  a   this collection: the aep_flows inventory plugin, one host per dataflow, aep_target_connection, forks
  a2  as a, addressed by flow id (aep_flow_id) instead of the target connection id the inventory gives
  b   this collection: the role destination_connections looping over the list on localhost
  c   what users write today: ansible.builtin.uri, GET then PATCH with If-Match, serial loops on localhost
  d   the floor: Python, requests and a pool of 10 threads, one GET per connection and one PATCH per change
  e   this collection: aep_destination_connections, one module run converging the whole list, 10 workers
  e32 as e, with 32 workers

With ``--throttle-rps R`` the emulator throttles the Flow Service as a gateway would (a token bucket of R
requests a second, burst R, 429 with Retry-After), so the runs show what the collection makes of a rate limit.

Each row is set against the physical limit of its scenario: the fewest requests the change needs (a GET per
connection, a PATCH per change, one spec read where it is not kept, the token) sent as many at a time as the
approach has in flight, each taking the latency, and never faster than the throttle's rate allows (the
requests needed divided by the rate).

Measured per run: wall time; requests by method from the emulator's log (token requests apart); the peak RSS
of the largest single process (wait4 of the process tree); the peak summed PSS of the process tree (sampled
from /proc every 100 ms, shared pages counted once). The collection approaches run with AEP_TOKEN_CACHE=1.
Not part of the test suite. See README.md beside this file for the numbers and what they mean.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests"))

# pylint: disable=wrong-import-position
from checkout import use_checkout  # noqa: E402

use_checkout()
from flowservice_emulator.data import generated_id  # noqa: E402
from harness import start_emulator  # noqa: E402
from playhelpers import ansible_env  # noqa: E402

NEW_PATH = "exports/moved-2027"
APPROACHES = {
    "a": "collection: inventory + forks",
    "a2": "collection: inventory + forks, by flow_id",
    "a3": "collection: inventory + one batch task",
    "b": "collection: role (one batch task)",
    "c": "uri playbook (users today)",
    "d": "floor: requests + 10 threads",
    "e": "collection: aep_destination_connections",
    "e32": "collection: aep_destination_connections, 32 workers",
}
# Requests in flight at most, per approach: the physical limit's parallelism (forks for a and a2, set at run time).
IN_FLIGHT = {"a3": 10, "b": 10, "c": 1, "d": 10, "e": 10, "e32": 32}
BIN = Path(sys.executable).parent


# --- measuring a process tree -----------------------------------------------------------------------------------

def children(pid):
    kids = []
    try:
        for task in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, task), encoding="ascii") as handle:
                kids.extend(int(k) for k in handle.read().split())
    except OSError:
        pass
    return kids


def tree_pss_kb(root):
    """Summed proportional set size of a process and its descendants, in kB."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children(pid))
        try:
            with open("/proc/%d/smaps_rollup" % pid, encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def run_measured(cmd, env, log_path):
    """Run a command; return wall seconds, exit code, peak single-process RSS and peak tree PSS (MB)."""
    with open(log_path, "ab") as log:
        log.write(("\n$ %s\n" % " ".join(cmd)).encode())
        log.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        peak = [0]
        done = threading.Event()

        def sample():
            while not done.wait(0.1):
                peak[0] = max(peak[0], tree_pss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        dummy, status, usage = os.wait4(proc.pid, 0)  # usage covers the whole (reaped) process tree
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    return {"wall": wall, "rc": proc.returncode, "cpu": usage.ru_utime + usage.ru_stime,
            "maxrss_mb": usage.ru_maxrss / 1024.0, "pss_mb": peak[0] / 1024.0}


# --- the approaches -----------------------------------------------------------------------------------------------

def command(approach, work, forks):
    playbook = [str(BIN / "ansible-playbook")]
    extra = ["-e", "@%s" % (work / "vars.json")]
    if approach in ("a", "a2", "a3"):
        book = {"a": "a_inventory.yml", "a2": "a_inventory_flow_id.yml", "a3": "a3_inventory_batch.yml"}[approach]
        return playbook + ["-i", str(HERE / "bench.aep_flows.yml"), "--forks", str(forks),
                           str(HERE / "playbooks" / book)] + extra
    if approach == "b":
        return playbook + [str(HERE / "playbooks" / "b_role.yml")] + extra
    if approach == "c":
        return playbook + [str(HERE / "playbooks" / "c_uri.yml")] + extra
    if approach == "d":
        return [sys.executable, str(HERE / "floor.py"), str(work / "ids.txt"), NEW_PATH, "--workers", "10"]
    if approach in ("e", "e32"):
        workers = ["-e", "bench_workers=32"] if approach == "e32" else []
        return playbook + [str(HERE / "playbooks" / "e_module.yml")] + extra + workers
    raise ValueError(approach)


def count_requests(emulator):
    counts = {"GET": 0, "PATCH": 0, "token": 0, "other": 0, "throttled": 0}
    for entry in emulator.requests():
        if entry["status"] == 429:
            counts["throttled"] += 1
        elif "/ims/token" in entry["path"]:
            counts["token"] += 1
        elif entry["method"] in ("GET", "PATCH"):
            counts[entry["method"]] += 1
        else:
            counts["other"] += 1
    return counts


def moved(emulator, target_ids):
    return sum(1 for t in target_ids if emulator.resource("targetConnections", t)["params"].get("path") == NEW_PATH)


def physical_limit(row, flows, in_flight, latency_ms, throttle_rps):
    """Seconds the scenario needs at the least: the fewest requests (a GET per connection, a PATCH per change in
    scenario 1, one spec read unless kept, the token when minted) at ``in_flight`` at a time, each taking the
    latency; and, throttled, no faster than the rate allows (needed / rate: what R requests a second allow)."""
    needed = flows * (2 if row["scenario"] == 1 else 1)
    if row["approach"] != "d" and row["scenario"] == 1:
        needed += 1  # the connection spec: read once, then kept for the rerun (token_cache)
    seconds = (-(-needed // in_flight) + row["token"]) * latency_ms / 1000.0
    if throttle_rps:
        seconds = max(seconds, needed / throttle_rps)
    return seconds


def run_approach(approach, emulator, target_ids, forks, pipelining, logs):
    emulator.reset()
    with tempfile.TemporaryDirectory(prefix="aep-bench-") as tmp:
        work = Path(tmp)
        (work / "ids.txt").write_text("\n".join(target_ids) + "\n", encoding="utf-8")
        (work / "vars.json").write_text(json.dumps({
            "bench_new_path": NEW_PATH,
            "bench_target_ids": target_ids,
            "bench_destinations": [{"target_connection_id": t, "params": {"path": NEW_PATH}} for t in target_ids],
        }), encoding="utf-8")
        # A fresh token cache per approach (under work): each pays for its token.
        env = ansible_env(emulator, work, AEP_TOKEN_CACHE="1")
        if pipelining:
            env["ANSIBLE_PIPELINING"] = "1"
        rows = []
        for scenario in (1, 2):
            emulator.clear_requests()
            result = run_measured(command(approach, work, forks), env, logs / ("%s.log" % approach))
            result.update(count_requests(emulator), approach=approach, scenario=scenario)
            result["moved"] = moved(emulator, target_ids) if scenario == 1 else None
            if result["rc"] != 0 or (scenario == 1 and result["moved"] != len(target_ids)):
                print("approach %s scenario %d FAILED (rc %s, moved %s of %d); see %s" % (
                    approach, scenario, result["rc"], result["moved"], len(target_ids), logs / ("%s.log" % approach)))
            rows.append(result)
            print("  %-3s scenario %d: %6.1f s (CPU %5.1f s)  GET %4d  PATCH %4d  token %d  429 %4d  maxrss %4.0f MB  "
                  "tree PSS %4.0f MB  load %.1f" % (
                      approach, scenario, result["wall"], result["cpu"], result["GET"], result["PATCH"],
                      result["token"], result["throttled"], result["maxrss_mb"], result["pss_mb"],
                      os.getloadavg()[0]), flush=True)
    return rows


# --- report -------------------------------------------------------------------------------------------------------

def ansible_version():
    out = subprocess.run([str(BIN / "ansible"), "--version"], capture_output=True, text=True, check=False).stdout
    return out.splitlines()[0] if out else "unknown"


def machine():
    return "nproc %d, %s, Python %s, %s" % (
        os.cpu_count(), platform.platform(), platform.python_version(), ansible_version())


def table(rows):
    by = {(r["approach"], r["scenario"]): r for r in rows}
    lines = ["| approach | scen. | wall s | limit s | vs limit | vs (d) | vs (c) | CPU s | GET | PATCH | token | 429 "
             "| max RSS MB | tree PSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ref_c = by.get(("c", r["scenario"]))
        ref_d = by.get(("d", r["scenario"]))
        ratio_c = "%.2f" % (r["wall"] / ref_c["wall"]) if ref_c and not ref_c["rc"] else "-"
        ratio_d = "%.2f" % (r["wall"] / ref_d["wall"]) if ref_d and not ref_d["rc"] else "-"
        lines.append("| (%s) %s | %d | %.1f%s | %.1f | %.2f | %s | %s | %.1f | %d | %d | %d | %d | %.0f | %.0f |" % (
            r["approach"], APPROACHES[r["approach"]], r["scenario"], r["wall"], " (failed)" if r["rc"] else "",
            r["limit"], r["wall"] / r["limit"], ratio_d, ratio_c, r["cpu"], r["GET"], r["PATCH"], r["token"],
            r["throttled"], r["maxrss_mb"], r["pss_mb"]))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 flows instead of 200, to iterate")
    parser.add_argument("--flows", type=int, default=None, help="generated S3 dataflows (default 200)")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--approaches", default="d,e,b,a3,a,c", help="comma-separated, from: " + ", ".join(APPROACHES))
    parser.add_argument("--throttle-rps", type=float, default=0.0,
                        help="the emulator throttles the Flow Service to this many requests a second (0: off)")
    parser.add_argument("--pipelining", action="store_true", help="ANSIBLE_PIPELINING=1 for the Ansible approaches")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = parser.parse_args(argv)
    flows = args.flows or (20 if args.quick else 200)
    approaches = [a.strip() for a in args.approaches.split(",") if a.strip()]
    unknown = [a for a in approaches if a not in APPROACHES]
    if unknown:
        parser.error("unknown approach(es): %s" % ", ".join(unknown))

    target_ids = [generated_id(i, 2) for i in range(1, flows + 1)]
    logs = Path(tempfile.mkdtemp(prefix="aep-bench-logs-"))
    print("%d flows, %d ms latency, forks %d%s%s; %s; load average %.1f" % (
        flows, args.latency_ms, args.forks, ", pipelining" if args.pipelining else "",
        ", throttled to %g requests/s" % args.throttle_rps if args.throttle_rps else "", machine(), os.getloadavg()[0]))
    print("logs in %s" % logs, flush=True)
    emulator = start_emulator("--generate", str(flows), "--latency-ms", str(args.latency_ms),
                              "--throttle-rps", str(args.throttle_rps))
    rows = []
    try:
        for approach in approaches:
            for row in run_approach(approach, emulator, target_ids, args.forks, args.pipelining, logs):
                in_flight = IN_FLIGHT.get(approach, args.forks)
                row["limit"] = physical_limit(row, flows, in_flight, args.latency_ms, args.throttle_rps)
                rows.append(row)
    finally:
        emulator.stop()
    print()
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "flows": flows, "latency_ms": args.latency_ms,
                                               "forks": args.forks, "pipelining": args.pipelining,
                                               "throttle_rps": args.throttle_rps, "rows": rows},
                                              indent=1), encoding="utf-8")
    return 1 if any(r["rc"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
