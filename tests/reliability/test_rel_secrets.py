"""Secret leak scan: every kind of integration scenario, with -vvv and ANSIBLE_LOG_PATH, in normal, check, diff,
failure and retry runs; the output, the log and every returned task result are searched for every secret and
token in play (the ``play``/``inventory`` fixtures do the scanning and fail on any hit).

Secrets searched: the client secrets and static token of the emulator's data, every secret auth value it stores,
the secrets the tests and the playbooks' demo credentials file send, a wrong client secret, and any minted IMS
token (by the shape of one minted at the start, and by value from every token cache file).

Scenarios run in groups, each group a test on its own emulator (xdist spreads them). The full integration suite under
-vvv with a shared log is the long variant (``-m long``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest
import yaml

import relkit
from relkit import (
    AZURE_FLOW, BASE, FLOW, NEW_ACCESS_KEY, NEW_AZURE_SECRET, NEW_S3_SECRET, ROOT, TARGET, WRONG_CLIENT_SECRET,
)

S3_AUTH = {"s3AccessKey": NEW_ACCESS_KEY, "s3SecretKey": NEW_S3_SECRET}
DEMO_DESTINATIONS = yaml.safe_load((ROOT / "playbooks" / "vars" / "demo_destinations.yml").read_text(encoding="utf-8"))
ROLE_LIST = [
    {"label": "S3", "flow_id": FLOW, "params": {"path": "leak/scan"}, "auth_params": S3_AUTH},
    {"label": "Azure", "flow_id": AZURE_FLOW, "auth_params": {"connectionString": NEW_AZURE_SECRET}},
]


def target_scenarios(emu, play):
    args = {"flow_id": FLOW, "params": {"path": "leak/target", "compression": "GZIP"}}
    runs = [
        play("target_connection.yml", emu=emu, extra_vars={"module_args": args}, check=True, diff=True,
             scenario="target check+diff"),
        play("target_connection.yml", emu=emu, extra_vars={"module_args": args}, diff=True, scenario="target diff"),
        play("target_connection.yml", emu=emu, extra_vars={"module_args": args}, scenario="target rerun"),
        play("target_connection.yml", emu=emu, extra_vars={"module_args": dict(args, params={"bucket": "x"})},
             scenario="target failure"),
    ]
    emu.add_fault(method="PATCH", path=TARGET, kind="status", status=429, headers={"Retry-After": "1"})
    emu.add_fault(method="GET", path=TARGET + "$", kind="status", status=503)
    runs.append(play("target_connection.yml", emu=emu, extra_vars={"module_args": dict(args, params={"path": "leak/2"})},
                     diff=True, tags=("retries",), scenario="target retries"))
    return runs


def base_scenarios(emu, play):
    args = {"flow_id": FLOW, "auth_params": S3_AUTH}
    runs = [
        play("base_connection.yml", emu=emu, extra_vars={"module_args": args}, check=True, diff=True,
             scenario="base check+diff"),
        play("base_connection.yml", emu=emu, extra_vars={"module_args": args}, diff=True, scenario="base rotation diff"),
        play("base_connection.yml", emu=emu, extra_vars={"module_args": dict(args, update_secrets="on_change")},
             scenario="base on_change rerun"),
        play("base_connection.yml", emu=emu, extra_vars={"module_args": dict(args, auth_params={"s3AccessKey": "MISSINGSECRETKEYAAA2"})},
             scenario="base failure: missing secret"),
        play("base_connection.yml", emu=emu, extra_vars={"module_args": args},
             env={"AEP_CLIENT_SECRET": WRONG_CLIENT_SECRET}, scenario="base failure: wrong client secret"),
        play("base_connection.yml", emu=emu, extra_vars={"module_args": args},
             env={"AEP_CLIENT_SECRET": None, "AEP_ACCESS_TOKEN": "aep-demo-token"}, diff=True,
             scenario="base with the static token"),
    ]
    emu.add_fault(method="PATCH", path=BASE, kind="status", status=502, count=2)
    runs.append(play("base_connection.yml", emu=emu, extra_vars={"module_args": args}, diff=True, tags=("retries",),
                     scenario="base retries"))
    return runs


def lookup_scenarios(emu, play):
    args = {"id": FLOW, "include_connections": True}
    emu.add_fault(method="GET", path=BASE + "$", kind="drop")
    return [
        play("flow_info.yml", emu=emu, extra_vars={"module_args": args}, tags=("retries",), scenario="flow_info retries"),
        play("flow_info.yml", emu=emu, extra_vars={"module_args": {"name": "2021 winter campaign", "include_connections": True}},
             check=True, scenario="flow_info check"),
        play("token_loop.yml", emu=emu, extra_vars={"loops": 3}, env={"AEP_TOKEN_CACHE": "true"},
             scenario="token cache loop"),
        play("playbooks/inspect_dataflow.yml", emu=emu, scenario="inspect_dataflow"),
    ]


def role_scenarios(emu, play):
    return [
        play("role_converge.yml", emu=emu, extra_vars={"destinations": ROLE_LIST}, check=True, diff=True,
             scenario="role check+diff"),
        play("role_converge.yml", emu=emu, extra_vars={"destinations": ROLE_LIST}, diff=True, scenario="role rotation"),
        play("role_converge.yml", emu=emu, extra_vars={"destinations": [dict(ROLE_LIST[0], auth_params={"s3SecretKey": "x"})]},
             scenario="role failure"),
    ]


def operator_scenarios(emu, play):
    runs = []
    for playbook, kwargs in (("playbooks/demo.yml", {}),
                             ("playbooks/rotate_credentials.yml", {"check": True, "diff": True}),
                             ("playbooks/rotate_credentials.yml", {}),
                             ("playbooks/update_export_location.yml", {"check": True, "diff": True}),
                             ("playbooks/update_destination_params.yml", {})):
        emu.reset()
        # the playbooks have no default list: give them the emulator's demo lists (demo.yml takes none)
        extra_vars = {} if playbook.endswith("demo.yml") else DEMO_DESTINATIONS
        runs.append(play(playbook, emu=emu, extra_vars=extra_vars, scenario=playbook.rsplit("/", 1)[1] + " "
                         + " ".join(kwargs), **kwargs))
    return runs


GROUPS = {"target connection": target_scenarios, "base connection": base_scenarios, "lookups": lookup_scenarios,
          "role": role_scenarios, "operator playbooks": operator_scenarios}
EXPECTED_FAILURES = {"target failure", "base failure: missing secret", "base failure: wrong client secret", "role failure"}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_kind_of_scenario_leaks_nothing(own_emulator, play, group):
    """Each group on its own emulator (xdist spreads the groups); the fixture scans every run."""
    runs = GROUPS[group](own_emulator(), play)
    failed = {r.scenario for r in runs if r.rc != 0}
    expected = {r.scenario for r in runs} & EXPECTED_FAILURES
    assert failed == expected, [r.output[-2500:] for r in runs if (r.scenario in failed) != (r.scenario in expected)]
    if group == "base connection":
        assert "401" in runs[4].output


def test_inventory_with_token_cache_leaks_nothing(own_emulator, inventory, play, tmp_path):
    emu = own_emulator("--generate", "4")
    env = {"AEP_TOKEN_CACHE": "1"}
    proc = inventory("plugin: aep.flow_service.aep_flows\nsandboxes: [prod, dev]\n", emu=emu, env=env,
                     scenario="inventory list with token cache")
    assert proc.returncode == 0, proc.stderr[-2000:]
    source = tmp_path / "moves.aep_flows.yml"
    source.write_text("plugin: aep.flow_service.aep_flows\ngroups:\n  single_target: aep_target_connection_id is not none\n",
                      encoding="utf-8")
    run = play("inventory_move_exports.yml", emu=emu, extra_vars={"new_path": "leak/inventory"},
               env=dict(env, ANSIBLE_PYTHON_INTERPRETER=None), args=("-i", str(source), "--forks", "4"),
               scenario="play over the inventory, forks, token cache")
    assert run.rc == 0, run.output[-2000:]


def test_secrets_of_failures_inside_modules_are_masked_in_process(run_module):
    """A secret the API refuses, echoed back by Ansible's own argument errors, is still masked."""
    from ansible_collections.aep.flow_service.plugins.modules import aep_base_connection  # pylint: disable=import-outside-toplevel
    for auth in ({"s3AccessKey": NEW_ACCESS_KEY, "s3SecretKey": ["nested", NEW_S3_SECRET]},
                 {"s3SecretKey": NEW_S3_SECRET, "unknown": NEW_S3_SECRET}):
        run = run_module(aep_base_connection.main, {"flow_id": FLOW, "auth_params": auth}, diff=True,
                         scenario="failure echoing a secret")
        assert run.failed


def test_check_and_diff_mode_in_process_leak_nothing_and_write_nothing(emulator, run_module):
    from ansible_collections.aep.flow_service.plugins.modules import (  # pylint: disable=import-outside-toplevel
        aep_base_connection, aep_flow_info, aep_target_connection)
    runs = [
        run_module(aep_base_connection.main, {"flow_id": FLOW, "auth_params": S3_AUTH}, check_mode=True, diff=True,
                   scenario="base check+diff in-process"),
        run_module(aep_base_connection.main, {"id": relkit.AZURE_BASE, "auth_params": {"connectionString": NEW_AZURE_SECRET}},
                   check_mode=True, diff=True, scenario="Azure base check+diff in-process"),
        run_module(aep_base_connection.main, {"id": relkit.PINTEREST_BASE,
                                              "auth_params": {"accessToken": NEW_S3_SECRET, "refreshToken": NEW_S3_SECRET}},
                   check_mode=True, diff=True, scenario="Pinterest base check+diff in-process"),
        run_module(aep_target_connection.main, {"flow_id": FLOW, "params": {"path": "check/diff"}}, check_mode=True,
                   diff=True, scenario="target check+diff in-process"),
        run_module(aep_flow_info.main, {"include_connections": True}, check_mode=True, scenario="flow_info check in-process"),
    ]
    assert all(not r.failed for r in runs), [r.msg for r in runs if r.failed]
    assert all(r.result["changed"] for r in runs[:4])
    assert relkit.write_requests(emulator) == []


def test_role_results_carry_no_secrets(emulator, play, scanner):
    """Every result the role hands to callbacks (AWX job events), its converging task's invocation included.

    The list holds auth_params in clear; the task's result echoes its arguments (invocation.module_args).
    The module declares auth_params no_log, so the echo and the report are masked; this proves it.
    """
    run = play("role_converge.yml", extra_vars={"destinations": ROLE_LIST[:1]}, scenario="role results")
    assert run.rc == 0
    converge = [r for r in run.results if "Converge the destinations, count " in r["task"]]
    assert converge and converge[0]["result"]["invocation"]["module_args"]["destinations"]
    hits = scanner.scan(json.dumps(run.results, default=str))
    assert not hits, hits


# --------------------------------------------------------------------------------------------- long: the whole suite

def _integration_secrets():
    """The secrets the integration tests themselves send (read from their modules)."""
    found = {}
    for name in ("test_connection_modules", "rolekit"):
        path = ROOT / "tests" / "integration" / (name + ".py")
        spec = importlib.util.spec_from_file_location("_scan_" + name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for attr in ("NEW_SECRET", "SECRETS", "VAULT_PASSWORD"):
            value = getattr(module, attr, None)
            values = value if isinstance(value, list) else [value]
            for index, item in enumerate(v for v in values if isinstance(v, str) and len(v) >= 8):
                found["%s.%s[%d]" % (name, attr, index)] = item
    return found


@pytest.mark.long
def test_whole_integration_suite_with_vvv_and_a_log_leaks_nothing(scanner, tmp_path):
    """Every integration test, each ansible-playbook and ansible-inventory run logging at -vvv to ANSIBLE_LOG_PATH.

    ANSIBLE_LOG_VERBOSITY=3 puts -vvv into the log whatever verbosity a test displays: forcing ANSIBLE_VERBOSITY
    instead would break the tests that read ansible-inventory's JSON from stdout, and would stack on their own
    -vvv to -vvvvvv, where ansible-playbook prints its whole command line, extra vars included (the tests pass new
    secrets with -e; operators pass them in vaulted files, see playbooks/rotate_credentials.yml).
    """
    log = tmp_path / "integration.log"
    basetemp = tmp_path / "basetemp"
    env = dict(os.environ, ANSIBLE_LOG_VERBOSITY="3", ANSIBLE_LOG_PATH=str(log))
    env.pop("ANSIBLE_VERBOSITY", None)
    env.pop("PYTEST_XDIST_TESTRUNUID", None)
    workers = ["-n", "2"] if importlib.util.find_spec("xdist") else []
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *workers,
                           "--basetemp", str(basetemp), str(ROOT / "tests" / "integration")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    for label, value in _integration_secrets().items():
        scanner.add(label, value)
    texts = [("integration log", log.read_text(encoding="utf-8"))]
    for path in basetemp.rglob("results-*.jsonl"):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if line and not relkit.open_defect_task(json.loads(line)["task"])]
        texts.append((str(path.relative_to(basetemp)), "\n".join(lines)))
    texts.append(("pytest output", proc.stdout + proc.stderr))
    assert len(texts) > 20
    relkit.check_no_secrets(scanner, texts, "integration suite, log at -vvv (long)", "every integration test",
                            ["-vvv"], basetemp)


# --------------------------------------------------------------------------------------------- channels of issue 12

def test_redirect_targets_inventory_output_and_the_cache_folder_leak_nothing(emulator, own_emulator, play, inventory,
                                                                             scanner, tmp_path):
    """What a redirect target received, what ansible-inventory printed when the server quoted the request, and
    every file of the token cache folder (tokens aside: holding them is the cache's job)."""
    other = own_emulator()
    emulator.add_fault(method="PATCH", path=BASE, kind="redirect", status=307, location=other.url + "/steal?x=1")
    emulator.add_fault(method="POST", path="/ims/", kind="redirect", status=308, location=other.url + "/ims/token/v3")
    env = {"AEP_TOKEN_CACHE": "true"}
    runs = [play("base_connection.yml", extra_vars={"module_args": {"flow_id": FLOW, "auth_params": S3_AUTH}},
                 env=env, scenario="redirected token request"),
            play("base_connection.yml", extra_vars={"module_args": {"flow_id": FLOW, "auth_params": S3_AUTH}},
                 env=env, scenario="redirected PATCH")]
    assert [r.rc != 0 for r in runs] == [True, True]
    emulator.add_fault(method="POST", path="/ims/", kind="echo", quote="body", format="text", pad=450)
    emulator.add_fault(method="GET", path="/flows", kind="echo", status=401, quote="headers", count=5)
    for attempt in ("first", "second"):
        inventory("plugin: aep.flow_service.aep_flows\n", env=env, scenario="inventory quoting the request (%s)" % attempt)
    relkit.check_no_secrets(scanner, [("redirect target's request log", json.dumps(other.requests()))],
                            "redirect target", "what the redirect target received", ["failed"])
    assert other.requests() == []
    folder = tmp_path / "cache" / "aep.flow_service"
    texts = [("cache folder listing", "\n".join(sorted(p.name for p in folder.iterdir())))] if folder.is_dir() else []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_file():
            texts.append((path.name, path.read_text(encoding="utf-8", errors="replace")))
    assert any(name.startswith("token-") for name, text in texts[1:]), texts
    no_tokens = relkit.SecretScanner(scanner.secrets, r"(?!)")  # tokens aside
    for label in [label for label in no_tokens.secrets if label.startswith("cached token")]:
        del no_tokens.secrets[label]
    hits = []
    for name, text in texts:
        hits.extend((name, label) for label, count in no_tokens.scan(text) if label != "Authorization header")
    relkit.record("scan", layer="token cache folder", scenario="cache folder after the runs", texts=len(texts),
                  chars=sum(len(text) for name, text in texts), found=len(hits), labels=hits, modes=[],
                  watched=len(no_tokens.secrets))
    assert not hits, hits
