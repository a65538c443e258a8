"""Helpers for the integration tests: run real ``ansible-playbook`` against the emulator and read what happened.

``ANSIBLE_COLLECTIONS_PATH`` from the environment is used when set (``make test`` points it at the built and
installed collection); otherwise the checkout itself (tests/checkout.py). The benchmark builds its commands'
environment with ``ansible_env`` too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from checkout import collections_path
from harness import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_ORG  # the emulator's demo client; tests import them from here too

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


@dataclass
class PlayRun:
    """One ansible-playbook run: exit code, the whole output, and every task result."""

    rc: int
    output: str
    results: list = field(default_factory=list)

    def task(self, name):
        """The last result of the task with this name (raises if the task did not run)."""
        # ansible-core 2.21 names role tasks "<role> : <task>"; 2.19 gives the bare task name.
        found = [r for r in self.results if r["task"] == name or r["task"].endswith(" : " + name)]
        if not found:
            raise AssertionError("task %r did not run; tasks were: %s\n%s" % (
                name, [r["task"] for r in self.results], self.output[-3000:]))
        return found[-1]

    def statuses(self):
        return [r["status"] for r in self.results]


def ansible_env(emulator, work, **extra):
    """The environment of an ansible command run against ``emulator``.

    The collection, plain output, the demo client credentials as AEP_* variables (as AWX injects them) and a
    token cache of its own under ``work``; ``extra`` sets more variables, or removes one with None.
    """
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_path(),
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "AEP_PLATFORM_URL": emulator.url,
        "AEP_IMS_URL": emulator.url,
        "AEP_CLIENT_ID": DEMO_CLIENT_ID,
        "AEP_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "AEP_ORG_ID": DEMO_ORG,
        "AEP_SANDBOX_NAME": "prod",
        "XDG_CACHE_HOME": str(work / "cache"),
    })
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def playbook_env(emulator, tmp_path, **extra):
    """``ansible_env`` plus the callback that records every task result, into a file of this run's own."""
    recording = {
        "ANSIBLE_CALLBACK_PLUGINS": str(HERE / "callback_plugins"),
        "ANSIBLE_CALLBACKS_ENABLED": "record_results",
        "AEP_TEST_RESULTS": str(tmp_path / ("results-%s.jsonl" % uuid.uuid4().hex)),
    }
    return ansible_env(emulator, tmp_path, **dict(recording, **extra))


def run_playbook(playbook, emulator, tmp_path, extra_vars=None, check=False, diff=False, verbose=0, env=None,
                 args=(), timeout=300):
    """Run ``ansible-playbook`` on a playbook (a path, or a name under tests/integration/playbooks)."""
    path = Path(playbook)
    if not path.is_absolute():
        path = HERE / "playbooks" / playbook if (HERE / "playbooks" / playbook).exists() else ROOT / playbook
    run_env = playbook_env(emulator, tmp_path, **(env or {}))
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path)]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if verbose:
        cmd.append("-" + "v" * verbose)
    cmd += list(args)
    proc = subprocess.run(cmd, env=run_env, capture_output=True, text=True, timeout=timeout, check=False)
    results = []
    results_file = Path(run_env["AEP_TEST_RESULTS"])
    if results_file.exists():
        results = [json.loads(line) for line in results_file.read_text(encoding="utf-8").splitlines() if line]
    return PlayRun(proc.returncode, proc.stdout + proc.stderr, results)


def writes(emulator, path_contains=""):
    """The write requests (PATCH/POST/PUT/DELETE) the emulator logged, IMS token requests excluded."""
    return [r for r in emulator.requests() if r["method"] != "GET" and "/ims/" not in r["path"]
            and path_contains in r["path"]]
