"""Benchmark: the audiences of hundreds of dataflows through the batch module's dataflow items, against the floor.

    python tests/benchmark/audiences.py [--flows N] [--latency-ms MS] [--settle-ms MS] [--approaches g,f,h] [--json F]

Starts the emulator with ``--generate N --latency-ms MS`` (default 200 dataflows, 50 ms per request). For each
approach, on freshly reset data: scenario 1 adds three audiences with a daily schedule to every dataflow;
scenario 2 runs the same again, with nothing left to change. Approaches:

  f   aep_destination_connections, one item per dataflow with a dataflow key, workers 10 (one module run)
  g   the floor: Python, requests, 10 threads; one GET per dataflow and one PATCH (three adds) per change
  h   aep_flow in a loop on localhost, one module run per dataflow

With ``--settle-ms`` the emulator keeps each write in progress that long (Adobe's asynchronous writes); (f) and (h)
then wait each write out (wait: true), the floor does not. Measures as run.py does (wall, CPU of the process tree,
requests by method from the emulator's log, peak RSS and tree PSS). Not part of the test suite; see README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# pylint: disable=wrong-import-position
from run import BIN, machine, run_measured  # noqa: E402
from flowservice_emulator.data import generated_id  # noqa: E402
from harness import start_emulator  # noqa: E402
from playhelpers import DEMO_CLIENT_ID, DEMO_ORG, ansible_env  # noqa: E402

API = "/data/foundation/flowservice"
SELECTORS = "/transformations/0/params/segmentSelectors/selectors"
APPROACHES = {"f": "aep_destination_connections, dataflow items", "g": "floor: requests + 10 threads",
              "h": "aep_flow in a loop"}


def audiences(index):
    return [{"id": "b%07d-0000-4000-8000-%012d" % (n, index), "name": "Bench audience %d" % n,
             "exportMode": "DAILY_FULL_EXPORT",
             "filenameTemplate": "%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%",
             "schedule": {"frequency": "DAILY", "triggerType": "SCHEDULED", "startDate": "2027-01-01",
                          "startTime": "06:00"}} for n in (1, 2, 3)]


def floor(emulator, items):
    """(g): the fewest requests, 10 in flight; returns the number of dataflows changed."""
    headers = {"Authorization": "Bearer aep-demo-token", "x-api-key": DEMO_CLIENT_ID, "x-gw-ims-org-id": DEMO_ORG,
               "x-sandbox-name": "prod"}

    def one(item):
        url = "%s%s/flows/%s" % (emulator.url, API, item["flow_id"])
        current = requests.get(url, headers=headers, timeout=30).json()["items"][0]
        have = {s["value"]["id"] for s in current["transformations"][0]["params"]["segmentSelectors"]["selectors"]}
        ops = [{"op": "add", "path": SELECTORS + "/-", "value": {"type": "PLATFORM_SEGMENT", "value": a}}
               for a in item["dataflow"]["audiences"] if a["id"] not in have]
        if ops:
            response = requests.patch(url, json=ops, headers=dict(headers, **{"If-Match": current["etag"]}), timeout=30)
            response.raise_for_status()
        return bool(ops)

    with ThreadPoolExecutor(max_workers=10) as pool:
        return sum(pool.map(one, items))


def count(emulator):
    counts = {"GET": 0, "PATCH": 0, "POST": 0, "token": 0}
    for entry in emulator.requests():
        key = "token" if "/ims/token" in entry["path"] else entry["method"]
        counts[key] = counts.get(key, 0) + 1
    return counts


def converged(emulator, items):
    done = 0
    for item in items:
        flow = emulator.resource("flows", item["flow_id"])
        ids = [s["value"]["id"] for s in flow["transformations"][0]["params"]["segmentSelectors"]["selectors"]]
        done += ids[-3:] == [a["id"] for a in item["dataflow"]["audiences"]]
    return done


def run_approach(approach, emulator, items, logs):
    emulator.reset()
    rows = []
    with tempfile.TemporaryDirectory(prefix="aep-bench-") as tmp:
        work = Path(tmp)
        (work / "vars.json").write_text(json.dumps({"bench_dataflows": items}), encoding="utf-8")
        env = ansible_env(emulator, work, AEP_TOKEN_CACHE="1")
        book = {"f": "f_dataflows_batch.yml", "h": "h_flow_loop.yml"}.get(approach)
        for scenario in (1, 2):
            emulator.clear_requests()
            if book:
                result = run_measured([str(BIN / "ansible-playbook"), str(HERE / "playbooks" / book), "-e",
                                       "@%s" % (work / "vars.json")], env, logs / ("%s.log" % approach))
            else:
                import time  # pylint: disable=import-outside-toplevel
                start, cpu = time.perf_counter(), time.process_time()
                floor(emulator, items)
                result = {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu, "rc": 0,
                          "maxrss_mb": None, "pss_mb": None}
            result.update(count(emulator), approach=approach, scenario=scenario)
            result["converged"] = converged(emulator, items)
            rows.append(result)
            print("  %s scenario %d: %6.1f s (CPU %5.1f s) rc %s  GET %4d  PATCH %4d  POST %d  token %d  "
                  "converged %d/%d  load %.1f" % (approach, scenario, result["wall"], result["cpu"], result["rc"],
                                                  result["GET"], result["PATCH"], result.get("POST", 0),
                                                  result["token"], result["converged"], len(items),
                                                  os.getloadavg()[0]), flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--settle-ms", type=int, default=0)
    parser.add_argument("--approaches", default="g,f")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    approaches = [a for a in args.approaches.split(",") if a]
    if any(a not in APPROACHES for a in approaches):
        parser.error("approaches are: %s" % ", ".join(APPROACHES))
    items = [{"flow_id": generated_id(i, 1), "dataflow": {"audiences": audiences(i)}}
             for i in range(1, args.flows + 1)]
    logs = Path(tempfile.mkdtemp(prefix="aep-bench-logs-"))
    print("%d dataflows, %d ms latency, settle %d ms; %s; load average %.1f; logs in %s" % (
        args.flows, args.latency_ms, args.settle_ms, machine(), os.getloadavg()[0], logs), flush=True)
    emulator = start_emulator("--generate", str(args.flows), "--latency-ms", str(args.latency_ms),
                              "--settle-ms", str(args.settle_ms))
    rows = []
    try:
        for approach in approaches:
            rows.extend(run_approach(approach, emulator, items, logs))
    finally:
        emulator.stop()
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1), encoding="utf-8")
    return 1 if any(r["rc"] or r["converged"] != len(items) for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
