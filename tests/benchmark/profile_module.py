"""Where the time of one aep_target_connection task goes: process start, imports, HTTP, and Ansible around it.

    python tests/benchmark/profile_module.py [--hosts 20] [--forks 10] [--latency-ms 0] [--repeat 5]

Starts the emulator (no latency by default, so CPU is what is measured), then:

1. builds the real AnsiballZ payload of one aep_target_connection run (ANSIBLE_KEEP_REMOTE_FILES) and times,
   as separate processes: an empty interpreter, ``import ansible.module_utils.basic``, ``import requests``,
   importing the module with its module_utils, and the whole payload (one no-change run: 2 GETs);
2. lists the heaviest imports (``python -X importtime``) and the hottest functions of the run (cProfile);
3. runs one task over N inventory hosts with forks, three times: ``ansible.builtin.debug`` (no module process),
   ``ansible.builtin.ping`` (the smallest module process) and aep_target_connection (nothing to change), and
   prints wall and CPU seconds per host, so the share of Ansible's own per-task cost is visible.
Not part of the test suite; the findings are written down in README.md beside this file.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
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

BIN = Path(sys.executable).parent
MODULE = "aep.flow_service.aep_target_connection"
MODULE_FQN = "ansible_collections.aep.flow_service.plugins.modules.aep_target_connection"


def measured(cmd, env=None, cwd=None):
    """(wall seconds, CPU seconds of the whole process tree, stdout)."""
    start = time.perf_counter()
    with subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:
        out = proc.stdout.read()
        dummy, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError("%s failed (%d):\n%s" % (" ".join(cmd), proc.returncode, out.decode()[-3000:]))
    return wall, usage.ru_utime + usage.ru_stime, out.decode()


def median_of(repeat, cmd, env=None, cwd=None):
    runs = [measured(cmd, env, cwd)[:2] for dummy in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def payload(env, work, target_id):
    """Run the module once through Ansible, keeping the AnsiballZ file; explode it; return (file, folder)."""
    keep = work / "remote-tmp"
    args = json.dumps({"id": target_id, "params": {"path": "profiled/path"}})
    measured([str(BIN / "ansible"), "localhost", "-m", MODULE, "-a", args],
             dict(env, ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_REMOTE_TMP=str(keep)))
    zipped = glob.glob(str(keep / "*" / "AnsiballZ_aep_target_connection.py"))[0]
    measured([sys.executable, zipped, "explode"], env, cwd=os.path.dirname(zipped))
    return zipped, os.path.join(os.path.dirname(zipped), "debug_dir")


def importtime(env, debug_dir, top):
    code = "import sys; sys.path.insert(0, %r); import %s" % (debug_dir, MODULE_FQN)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True,
                          text=True, check=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        dummy, cumulative, name = line[len("import time:"):].split("|")
        rows.append((int(cumulative) / 1000.0, name.rstrip()))
    wanted = ("ansible.module_utils.basic", "requests", "urllib3", "ansible_collections.aep.flow_service")
    print("\nHeaviest imports (ms, cumulative, under -X importtime, which inflates them):")
    for ms, name in sorted(rows, reverse=True)[:top]:
        print("  %7.1f  %s" % (ms, name))
    print("Top-level groups:")
    for ms, name in rows:
        if name.strip() in wanted or name.strip().startswith("ansible_collections.aep.flow_service.plugins.modules"):
            print("  %7.1f  %s" % (ms, name.strip()))


def profile_run(env, debug_dir, top):
    """cProfile one in-process run of the exploded payload (the module's main() with its args file)."""
    script = r"""
import cProfile, pstats, sys, io
sys.path.insert(0, %(dir)r)
profiler = cProfile.Profile()
profiler.enable()
from ansible.module_utils._internal._ansiballz import _loader
with open(%(args)r, "rb") as handle:
    params = handle.read()
try:
    _loader.run_module(json_params=params, profile="legacy", module_fqn=%(fqn)r, modlib_path=%(dir)r, extensions={})
except SystemExit:
    pass
profiler.disable()
out = io.StringIO()
stats = pstats.Stats(profiler, stream=out)
stats.sort_stats("cumulative").print_stats(%(top)d)
sys.stderr.write(out.getvalue())
""" % {"dir": debug_dir, "args": os.path.join(debug_dir, "args"), "fqn": MODULE_FQN, "top": top}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False)
    print("\ncProfile of one run (imports included), by cumulative time:")
    lines = proc.stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    for line in lines[max(0, start - 3):]:
        if line.strip():
            print("  " + line[:150])


def controller(env, work, hosts, forks, repeat):
    """Per-host wall and CPU of one task over an aep_flows inventory, for three kinds of task."""
    source = work / "profile.aep_flows.yml"
    source.write_text("plugin: aep.flow_service.aep_flows\ngroups:\n"
                      "  generated: aep_flow_name.startswith('Generated S3 export')\n", encoding="utf-8")
    tasks = {
        "ansible.builtin.debug (no module process)": {"ansible.builtin.debug": {"msg": "{{ aep_flow_id }}"}},
        "ansible.builtin.ping (smallest module)": {"ansible.builtin.ping": {}},
        "aep_target_connection (no change)": {MODULE: {"id": "{{ aep_target_connection_id }}",
                                                       "params": {"path": "profiled/path"}}},
    }
    print("\nOne task over %d hosts, forks %d (median of %d; inventory parse and play start included):"
          % (hosts, forks, repeat))
    for label, task in tasks.items():
        book = work / "profile_play.yml"
        book.write_text(json.dumps([{"name": "Profile", "hosts": "generated", "gather_facts": False,
                                     "tasks": [dict({"name": "Task"}, **task)]}]), encoding="utf-8")
        cmd = [str(BIN / "ansible-playbook"), "-i", str(source), "--forks", str(forks), str(book)]
        measured(cmd, env)  # once to converge (and to warm the token cache)
        wall, cpu = median_of(repeat, cmd, env)
        print("  %-42s wall %5.1f s (%.3f s/host)   CPU %5.1f s (%.3f s/host)" % (
            label, wall, wall / hosts, cpu, cpu / hosts))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    print("load average %.1f, nproc %d" % (os.getloadavg()[0], os.cpu_count()))
    emulator = start_emulator("--generate", str(args.hosts), "--latency-ms", str(args.latency_ms))
    try:
        with tempfile.TemporaryDirectory(prefix="aep-profile-") as tmp:
            work = Path(tmp)
            env = ansible_env(emulator, work, AEP_TOKEN_CACHE="1")
            zipped, debug_dir = payload(env, work, generated_id(1, 2))
            print("\nOne process each (median of %d; wall / CPU seconds):" % args.repeat)
            checks = [
                ("empty interpreter", [sys.executable, "-c", "pass"]),
                ("import ansible.module_utils.basic", [sys.executable, "-c", "import ansible.module_utils.basic"]),
                ("import requests", [sys.executable, "-c", "import requests"]),
                ("import the module and its module_utils", [sys.executable, "-c", "import sys; sys.path.insert(0, %r);"
                                                            " import %s" % (debug_dir, MODULE_FQN)]),
                ("whole AnsiballZ run, no change (2 GETs)", [sys.executable, zipped]),
            ]
            for label, cmd in checks:
                wall, cpu = median_of(args.repeat, cmd, env, cwd=work)
                print("  %-42s %6.3f / %6.3f" % (label, wall, cpu))
            importtime(env, debug_dir, args.top)
            profile_run(env, debug_dir, args.top)
            controller(env, work, args.hosts, args.forks, args.repeat)
    finally:
        emulator.stop()
    print("load average %.1f" % os.getloadavg()[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
