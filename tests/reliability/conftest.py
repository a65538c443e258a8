"""Fixtures of the reliability suite.

* ``run_module(main, args, emu=None, ...)``: a module's ``main()`` in this process (fast), against this test's
  emulator (``emulator``, reset) or the one given; the JSON result and everything printed are scanned for secrets.
* ``play(playbook, emu=None, ...)``: real ``ansible-playbook`` with ``-vvv`` and ``ANSIBLE_LOG_PATH`` set; the output,
  the log file and every task result are scanned for secrets.
* ``inventory(source_text, emu=None, ...)``: real ``ansible-inventory --list`` on an aep_flows source, scanned the same way.
* ``own_emulator(*args)`` (tests/conftest.py): an extra emulator for this test, stopped afterwards.

Each scan is a figure (relkit.record); a secret found fails the test that printed it. At the end of every pytest
process the figures of the run are written to tests/output/reliability/summary.{json,md} (rel_summary.py).
Tests marked ``long`` run only when asked for with ``-m long``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from ansible.module_utils.testing import patch_module_args

import rel_summary
import relkit
from harness import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_ORG, DEMO_SCOPE
from module_process import as_module_process
from playhelpers import PlayRun, playbook_env, run_playbook

HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    config.addinivalue_line("markers", "long: the long resource loops (minutes); run them with -m long")
    relkit.run_id()
    relkit.prune_old_runs()


def pytest_collection_modifyitems(config, items):
    if "long" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="long loop: run with pytest tests/reliability -m long")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    del session, exitstatus
    records = relkit.records_dir()
    if any(records.glob("*.jsonl")):
        rel_summary.write_summary(records, relkit.OUTPUT)


# --------------------------------------------------------------------------------------------- secrets

@pytest.fixture(name="scanner", scope="session")
def _scanner(emulator_server):
    """Every secret and token the suite could leak: the emulator data's, the suite's own, and minted tokens.

    The emulator cannot list the tokens it mints, so one is minted here with the demo credentials and every
    token of that shape (same prefix and alphabet) counts as a leak.
    """
    reply = requests.post(emulator_server.url + "/ims/token/v3", timeout=30, data={
        "grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET,
        "scope": DEMO_SCOPE})
    reply.raise_for_status()
    sample = reply.json()["access_token"]
    scanner = relkit.SecretScanner(relkit.all_known_secrets(), relkit.minted_token_pattern(sample))
    assert scanner.scan("token: " + sample), "the minted-token pattern must match a minted token"
    return scanner


# --------------------------------------------------------------------------------------------- in-process modules

class ModuleRun:
    """One in-process module run: exit code, JSON result, all text printed, seconds taken."""

    def __init__(self, code, result, text, elapsed):
        self.code = code
        self.result = result
        self.text = text
        self.elapsed = elapsed

    @property
    def failed(self):
        return bool(self.result.get("failed"))

    @property
    def msg(self):
        return str(self.result.get("msg", ""))

    @property
    def warnings(self):
        """Warnings as text (ansible-core 2.19 returns them as structured events)."""
        return [w if isinstance(w, str) else json.dumps(w) for w in self.result.get("warnings") or []]


@pytest.fixture
def run_module(capsys, emulator, tmp_path, scanner, monkeypatch):
    """``run_module(main, args, emu=None, check_mode=False, diff=False, scenario=None)`` -> ModuleRun.

    Connection options come from AEP_* variables pointing at ``emu`` (default: this test's reset emulator) with the
    demo client credentials, as AWX would inject them; ``args`` override them (``None`` removes one).
    """
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))

    def run(main, args, emu=None, check_mode=False, diff=False, scenario=None, tags=()):
        emu = emu or emulator
        env = {"AEP_PLATFORM_URL": emu.url, "AEP_IMS_URL": emu.url, "AEP_CLIENT_ID": DEMO_CLIENT_ID,
               "AEP_CLIENT_SECRET": DEMO_CLIENT_SECRET, "AEP_ORG_ID": DEMO_ORG}
        full = {}
        with monkeypatch.context() as patched:
            for key in ("AEP_ACCESS_TOKEN", "AEP_SANDBOX_NAME", "AEP_TOKEN_CACHE", "AEP_RETRIES", "AEP_TIMEOUT",
                        "AEP_CA_PATH", "AEP_VALIDATE_CERTS", "AEP_SCOPES"):
                patched.delenv(key, raising=False)
            for key, value in env.items():
                patched.setenv(key, value)
            as_module_process(patched)
            for key, value in args.items():
                if value is None:
                    env_name = "AEP_" + key.upper()
                    patched.delenv(env_name, raising=False)
                else:
                    full[key] = value
            full["_ansible_check_mode"] = check_mode
            full["_ansible_diff"] = diff
            capsys.readouterr()
            start = time.monotonic()
            code = None
            with patch_module_args(full):
                try:
                    main()
                except SystemExit as exc:
                    code = exc.code
            elapsed = time.monotonic() - start
        captured = capsys.readouterr()
        text = captured.out + captured.err
        try:
            result = json.loads(captured.out)
        except ValueError:
            result = {"failed": True, "msg": "not JSON: " + captured.out[-2000:]}
        modes = ["check"] * check_mode + ["diff"] * diff + ["failed"] * bool(result.get("failed")) + list(tags)
        relkit.check_no_secrets(scanner, [("module output", text)], "module in-process",
                                scenario or getattr(main, "__module__", "module"), modes, cache)
        return ModuleRun(code, result, text, elapsed)

    return run


# --------------------------------------------------------------------------------------------- ansible-playbook

@pytest.fixture
def play(emulator, tmp_path, scanner):
    """``play(playbook, emu=None, verbose=3, scenario=None, **run_playbook kwargs)`` -> PlayRun (+ ``.log``).

    Always with ``ANSIBLE_LOG_PATH`` set; the output, the log and the recorded task results are scanned.
    """

    def runner(playbook, emu=None, verbose=3, scenario=None, env=None, tags=(), **kwargs):
        emu = emu or emulator
        log = tmp_path / ("ansible-%s.log" % uuid.uuid4().hex)
        run_env = dict(env or {})
        run_env["ANSIBLE_LOG_PATH"] = str(log)
        if (HERE / "playbooks" / str(playbook)).exists():
            playbook = HERE / "playbooks" / str(playbook)
        run = run_playbook(playbook, emu, tmp_path, verbose=verbose, env=run_env, **kwargs)
        run.log = log.read_text(encoding="utf-8") if log.exists() else ""
        run.scenario = scenario or str(playbook)
        modes = ["-" + "v" * verbose] * bool(verbose) + ["check"] * bool(kwargs.get("check")) + \
            ["diff"] * bool(kwargs.get("diff")) + ["failed"] * (run.rc != 0) + list(tags)
        open_defect = [r for r in run.results if relkit.open_defect_task(r["task"])]
        results = [r for r in run.results if not relkit.open_defect_task(r["task"])]
        if open_defect:
            text = json.dumps(open_defect, default=str)
            hits = scanner.scan(text)
            relkit.record("open_leak", scenario=scenario or str(playbook), tasks=sorted({r["task"] for r in open_defect}),
                          found=sum(hit[1] for hit in hits), labels=[hit[0] for hit in hits], chars=len(text))
        relkit.check_no_secrets(scanner, [("output", run.output), ("log", run.log),
                                          ("results", json.dumps(results, default=str))],
                                "ansible-playbook", scenario or str(playbook), modes, tmp_path / "cache")
        return run

    return runner


@pytest.fixture
def inventory(emulator, tmp_path, scanner):
    """``inventory(source_text, emu=None, env=None, scenario=None)`` -> CompletedProcess of ansible-inventory --list -vvv."""

    def runner(source_text, emu=None, env=None, scenario=None):
        emu = emu or emulator
        source = tmp_path / ("src-%s.aep_flows.yml" % uuid.uuid4().hex[:8])
        source.write_text(source_text, encoding="utf-8")
        log = tmp_path / ("inventory-%s.log" % uuid.uuid4().hex)
        run_env = playbook_env(emu, tmp_path, ANSIBLE_LOG_PATH=str(log), **(env or {}))
        cmd = [str(Path(sys.executable).parent / "ansible-inventory"), "-i", str(source), "--list", "-vvv"]
        proc = subprocess.run(cmd, env=run_env, capture_output=True, text=True, timeout=180, check=False)
        proc.log = log.read_text(encoding="utf-8") if log.exists() else ""
        relkit.check_no_secrets(scanner, [("stdout", proc.stdout), ("stderr", proc.stderr), ("log", proc.log)],
                                "ansible-inventory", scenario or "inventory", ["-vvv"] + ["failed"] * (proc.returncode != 0),
                                tmp_path / "cache")
        return proc

    return runner


__all__ = ["ModuleRun", "PlayRun"]
