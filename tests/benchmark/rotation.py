"""Benchmark: rotating the credentials of N destinations against changing a param of N, in one batch task.

    python tests/benchmark/rotation.py [--sizes 200,1000,5000] [--latency-ms 0] [--repeat 1] [--baseline PATH]
                                       [--json FILE]

Issue 17 item 2: every auth_params value is a ``no_log`` value, and Ansible's scrubbing of the result, the
invocation and the log line checked each against every string, so a rotation of N destinations cost
O(N x N). This script starts the emulator with ``--generate max(sizes)`` (no latency by default, so that what
is measured is CPU) and, for each size N, on freshly reset data, runs ``aep_destination_connections``
(playbooks/e_module.yml) twice:

- params: every target connection of the first N dataflows gets a new ``path`` (no secret in the task);
- rotation: every base connection of the first N gets new, distinct ``s3AccessKey`` (20 characters) and
  ``s3SecretKey`` (40) with ``update_secrets: always`` (2 N no_log values).

It prints wall and CPU seconds of each (the whole ansible-playbook process tree) and rotation / params: the
promise of issue 17 is at most 1.2 at 5,000. ``--baseline PATH`` runs another build (say, an older commit's
``make install`` copied elsewhere) alternately with this one, so that both see the same load. Not part of the
test suite; run after ``make install`` with ANSIBLE_COLLECTIONS_PATH=.build/collections (as ``make benchmark``
does).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))

# pylint: disable=wrong-import-position
from checkout import use_checkout  # noqa: E402

use_checkout()
sys.path.insert(0, str(HERE))  # run is the benchmark's run.py, not the emulator's
from flowservice_emulator.data import generated_id  # noqa: E402
from harness import start_emulator  # noqa: E402
from playhelpers import ansible_env, collections_path  # noqa: E402
from run import BIN, machine, run_measured  # noqa: E402

PLAYBOOK = HERE / "playbooks" / "e_module.yml"
NEW_PATH = "exports/rotation-bench"


def rotation_items(count, seed=17):
    """Items rotating the credentials of generated dataflows 1..count: distinct keys shaped as AWS's."""
    rng = random.Random(seed)
    upper = string.ascii_uppercase + "234567"  # the spec's pattern of an access key id: ^[A-Z2-7]{20}$
    base64 = string.ascii_letters + string.digits + "+/"
    items, seen = [], set()
    for index in range(1, count + 1):
        access = "".join(rng.choice(upper) for dummy in range(20))
        secret = "".join(rng.choice(base64) for dummy in range(40))
        if access in seen or secret in seen:
            raise AssertionError("duplicate generated secret; pick another seed")
        seen.update((access, secret))
        items.append({"base_connection_id": generated_id(index, 3), "update_secrets": "always",
                      "auth_params": {"s3AccessKey": access, "s3SecretKey": secret}})
    return items


def params_items(count):
    return [{"target_connection_id": generated_id(index, 2), "params": {"path": NEW_PATH}}
            for index in range(1, count + 1)]


def reset(emulator, attempts=3):
    """emulator.reset(), again when it times out (its 10 s can pass for 5,000 dataflows on a busy machine)."""
    for attempt in range(1, attempts + 1):
        try:
            emulator.reset()
            return
        except OSError:  # socket.timeout and urllib's URLError
            if attempt == attempts:
                raise
            time.sleep(5)


def run_once(kind, count, emulator, logs, build):
    """One ansible-playbook run of ``kind`` over ``count`` destinations, with the collection at ``build[1]``."""
    reset(emulator)
    items = rotation_items(count) if kind == "rotation" else params_items(count)
    log = logs / ("%s-%s-%d.log" % (build[0], kind, count))
    with tempfile.TemporaryDirectory(prefix="aep-rotation-") as tmp:
        work = Path(tmp)
        (work / "vars.json").write_text(json.dumps({"bench_destinations": items}), encoding="utf-8")
        cmd = [str(BIN / "ansible-playbook"), str(PLAYBOOK), "-e", "@%s" % (work / "vars.json")]
        env = ansible_env(emulator, work, AEP_TOKEN_CACHE="1", ANSIBLE_COLLECTIONS_PATH=build[1])
        result = run_measured(cmd, env, log)
    if result["rc"]:
        print("%s of %d FAILED (rc %d); see %s" % (kind, count, result["rc"], log))
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000,5000", help="comma-separated destination counts")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest is reported")
    parser.add_argument("--baseline", metavar="PATH", help="a collections path holding another build (an older "
                        "commit's), run alternately with this one at each size")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    builds = [("this", collections_path())] + ([("baseline", args.baseline)] if args.baseline else [])
    logs = Path(tempfile.mkdtemp(prefix="aep-rotation-logs-"))
    print("sizes %s, %d ms latency, best of %d; %s; load average %.1f; logs in %s" % (
        ",".join(map(str, sizes)), args.latency_ms, args.repeat, machine(), os.getloadavg()[0], logs), flush=True)
    emulator = start_emulator("--generate", str(max(sizes)), "--latency-ms", str(args.latency_ms))
    rows = []
    try:
        for count in sizes:
            for build in builds:
                row = {"destinations": count, "build": build[0]}
                for kind in ("params", "rotation"):
                    best = min((run_once(kind, count, emulator, logs, build) for dummy in range(args.repeat)),
                               key=lambda run: run["wall"])
                    row[kind] = best
                    print("  %5d %-8s %-8s %7.1f s wall, %7.1f s CPU, rc %d" % (
                        count, build[0], kind, best["wall"], best["cpu"], best["rc"]), flush=True)
                rows.append(row)
    finally:
        emulator.stop()
    print("\n| destinations | build | params change s | rotation s | rotation / params | CPU s (params, rotation) |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        params, rotation = row["params"], row["rotation"]
        print("| %d | %s | %.1f | %.1f | %.2f | %.1f, %.1f |" % (
            row["destinations"], row["build"], params["wall"], rotation["wall"], rotation["wall"] / params["wall"],
            params["cpu"], rotation["cpu"]))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "latency_ms": args.latency_ms, "builds": builds,
                                               "rows": rows}, indent=1), encoding="utf-8")
    return 1 if any(row[kind]["rc"] for row in rows for kind in ("params", "rotation")) else 0


if __name__ == "__main__":
    sys.exit(main())
