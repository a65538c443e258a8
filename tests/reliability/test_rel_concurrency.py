"""Concurrent writers: 8 ansible-playbook processes at once on the same connection.

The emulator gets the wide destination (relkit.wide_data: 8 target params, 8 non-secret auth fields and two
secrets), and every PATCH is held 400 ms so that the writers' reads and writes interleave and 412s happen.

* target, different params: writer i sets param<i>; at the end all 8 values are there (no lost update).
* target, same param: writer i sets ``path`` to its own value; the final value is the last one the write log
  shows landing, and each run's report (changed, patch) matches its own landed PATCH.
* base, different fields: writer i sets field<i> (with both secrets, which the module must send whole); no
  field is lost and no secret is ever dropped from a write.
* base, same secret: writer i rotates ``secretA`` to its own value; the stored secret is the last landed one.

Every run's report is compared with the emulator's write log: a run that says changed has exactly one landed
PATCH carrying its value, and its returned ``patch`` is that PATCH (secrets masked).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

import relkit
from relkit import WIDE_BASE, WIDE_FIELDS, WIDE_FLOW, WIDE_PARAMS, WIDE_ROTATION_SECRETS, WIDE_SECRETS, WIDE_TARGET

WRITERS = 8
MASK = "********"
NO_LOG = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"  # how Ansible masks a value of a no_log option in results


@pytest.fixture
def wide(own_emulator, tmp_path):
    emu = own_emulator("--data", relkit.write_wide_data(tmp_path))
    emu.add_fault(method="PATCH", path="/00000009-", kind="delay", delay_ms=400, count=1000)
    return emu


def run_writers(play, emu, playbook, args_of, scenario):
    def one(index):
        return play(playbook, emu=emu, extra_vars={"module_args": args_of(index)}, verbose=3,
                    scenario="%s, writer %d" % (scenario, index + 1))

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        return list(pool.map(one, range(WRITERS)))


def landed(emu, rid):
    return sorted((r for r in emu.requests(method="PATCH", path_contains=rid) if r["status"] == 200),
                  key=lambda r: r["seq"])


def masked(ops, secrets, no_log_values=()):
    """``ops`` as a run reports them: the module masks secret fields, and Ansible masks every value of the run's
    own no_log option (auth_params), non-secret fields included."""
    shown = []
    for op in ops:
        op = dict(op)
        if isinstance(op.get("value"), dict) and op["path"] == "/auth/params":
            op["value"] = {k: (MASK if k in secrets else NO_LOG if v in no_log_values else v)
                           for k, v in op["value"].items()}
        shown.append(op)
    return shown


def reconcile(runs, task, patches, marker_of, secrets=(), no_log_of=lambda index: ()):
    """Compare each run's report with the write log; return (dishonest reports, failed runs).

    A run that reports changed must own exactly one landed PATCH: one carrying its own value whose body, secrets
    masked, is the ``patch`` the run returned. A failed run must own none. Every landed PATCH must be owned.
    """
    dishonest = failed = 0
    owned = set()
    failures.clear()
    for index, run in enumerate(runs):
        result = run.task(task)
        reported = result["result"].get("patch") or []
        mine = [p for p in patches if marker_of(index) in repr(p["body"])
                and (result["status"] == "failed" or masked(p["body"], secrets, no_log_of(index)) == reported)]
        if result["status"] == "failed":
            failed += 1  # its write must not have landed: an unowned PATCH below counts against it
            failures.append(str(result["result"].get("msg"))[:400])
            continue
        if result["status"] != "changed" or len(mine) != 1:
            dishonest += 1
            continue
        owned.add(mine[0]["seq"])
    dishonest += sum(1 for p in patches if p["seq"] not in owned)
    return dishonest, failed


failures = []


def record(emu, rid, scenario, runs, lost, dishonest, failed):
    conflicts = [r for r in emu.requests(method="PATCH", path_contains=rid) if r["status"] == 412]
    relkit.record("concurrency", scenario=scenario, writers=len(runs), lost_updates=lost, dishonest_reports=dishonest,
                  failed_runs=failed, patches_landed=len(landed(emu, rid)), conflicts=len(conflicts),
                  failures=list(failures))


def test_8_writers_of_different_target_params_lose_nothing(wide, play):
    runs = run_writers(play, wide, "target_connection.yml",
                       lambda i: {"id": WIDE_TARGET, "params": {WIDE_PARAMS[i]: "writer-%d" % (i + 1)}},
                       "target, different params")
    params = wide.resource("targetConnections", WIDE_TARGET)["params"]
    lost = sum(params[WIDE_PARAMS[i]] != "writer-%d" % (i + 1) for i in range(WRITERS))
    patches = landed(wide, WIDE_TARGET)
    dishonest, failed = reconcile(runs, "Converge the target connection", patches,
                                  lambda i: "'writer-%d'" % (i + 1))
    record(wide, WIDE_TARGET, "target connection: 8 writers, 8 different params", runs, lost, dishonest, failed)
    assert failed == 0, failures
    assert lost == 0, params
    assert dishonest == 0
    assert len(patches) == WRITERS
    assert all(len(p["body"]) == 1 for p in patches), "each writer sends only its own param"


def test_8_writers_of_the_same_target_param_end_with_the_last_landed_value(wide, play):
    runs = run_writers(play, wide, "target_connection.yml",
                       lambda i: {"id": WIDE_TARGET, "params": {"param1": "same-writer-%d" % (i + 1)}},
                       "target, same param")
    stored = wide.resource("targetConnections", WIDE_TARGET)["params"]
    patches = landed(wide, WIDE_TARGET)
    values = ["same-writer-%d" % (i + 1) for i in range(WRITERS)]
    last = patches[-1]["body"][0]["value"] if patches else None
    lost = int(stored["param1"] not in values or stored["param1"] != last)
    lost += sum(stored[p] != "old-%s" % p for p in WIDE_PARAMS[1:])  # nobody else's param may move
    dishonest, failed = reconcile(runs, "Converge the target connection", patches,
                                  lambda i: "'same-writer-%d'" % (i + 1))
    record(wide, WIDE_TARGET, "target connection: 8 writers, same param", runs, lost, dishonest, failed)
    assert failed == 0, failures
    assert lost == 0 and dishonest == 0, (stored, [p["body"] for p in patches])


def base_args(index, fields):
    auth = dict(fields)
    auth.update(WIDE_SECRETS)
    return {"id": WIDE_BASE, "auth_params": auth}


def test_8_writers_of_different_base_fields_lose_no_field_and_never_drop_a_secret(wide, play):
    runs = run_writers(play, wide, "base_connection.yml",
                       lambda i: dict(base_args(i, {WIDE_FIELDS[i]: "writer-%d" % (i + 1)}), update_secrets="on_change"),
                       "base, different fields")
    stored = wide.resource("connections", WIDE_BASE)["auth"]["params"]
    patches = landed(wide, WIDE_BASE)
    lost = sum(stored[WIDE_FIELDS[i]] != "writer-%d" % (i + 1) for i in range(WRITERS))
    secrets_dropped = sum(1 for p in patches for name in WIDE_SECRETS if name not in p["body"][-1]["value"])
    secrets_dropped += sum(stored.get(name) != value for name, value in WIDE_SECRETS.items())
    dishonest, failed = reconcile(runs, "Converge the base connection", patches,
                                  lambda i: "'%s': 'writer-%d'" % (WIDE_FIELDS[i], i + 1), secrets=WIDE_SECRETS,
                                  no_log_of=lambda i: ("writer-%d" % (i + 1),))
    record(wide, WIDE_BASE, "base connection: 8 writers, 8 different fields", runs, lost + secrets_dropped,
           dishonest, failed)
    assert failed == 0, failures
    assert secrets_dropped == 0
    assert lost == 0, stored
    assert dishonest == 0


def test_8_writers_rotating_the_same_secret_end_with_the_last_landed_one(wide, play):
    runs = run_writers(play, wide, "base_connection.yml",
                       lambda i: {"id": WIDE_BASE, "auth_params": {"secretA": WIDE_ROTATION_SECRETS[i],
                                                                   "secretB": WIDE_SECRETS["secretB"]}},
                       "base, same secret")
    stored = wide.resource("connections", WIDE_BASE)["auth"]["params"]
    patches = landed(wide, WIDE_BASE)
    last = patches[-1]["body"][-1]["value"]["secretA"] if patches else None
    lost = int(stored["secretA"] not in WIDE_ROTATION_SECRETS or stored["secretA"] != last)
    lost += int(stored["secretB"] != WIDE_SECRETS["secretB"])
    lost += sum(stored[f] != "old-%s" % f for f in WIDE_FIELDS)  # the non-secret fields survive every rotation
    dishonest, failed = reconcile(runs, "Converge the base connection", patches,
                                  lambda i: WIDE_ROTATION_SECRETS[i], secrets=WIDE_SECRETS)
    record(wide, WIDE_BASE, "base connection: 8 writers, same secret", runs, lost, dishonest, failed)
    assert failed == 0, failures
    assert lost == 0 and dishonest == 0, stored


def test_4_batch_runs_of_2_items_on_one_target_lose_nothing_and_report_honestly(wide, play):
    """aep_destination_connections: 4 processes at once, each with 2 items addressing the same target connection
    (one by id, one by flow id). Inside a run the two are converged one after the other; across runs, 412s."""
    def args_of(index):
        return {"workers": 2, "destinations": [
            {"label": "w%d-a" % index, "target_connection_id": WIDE_TARGET,
             "params": {WIDE_PARAMS[2 * index]: "batch-%d" % (2 * index + 1)}},
            {"label": "w%d-b" % index, "flow_id": WIDE_FLOW,
             "params": {WIDE_PARAMS[2 * index + 1]: "batch-%d" % (2 * index + 2)}}]}

    def one(index):
        return play("destination_connections.yml", emu=wide, extra_vars={"module_args": args_of(index)}, verbose=3,
                    scenario="batch, 2 items on one target, run %d" % (index + 1))

    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(pool.map(one, range(4)))
    params = wide.resource("targetConnections", WIDE_TARGET)["params"]
    lost = sum(params[WIDE_PARAMS[i]] != "batch-%d" % (i + 1) for i in range(WRITERS))
    patches = landed(wide, WIDE_TARGET)
    failures.clear()
    dishonest = failed = 0
    owned = set()
    for run in runs:
        result = run.task("Converge the destinations")
        if result["status"] != "changed":
            failed += 1
            failures.append(str(result["result"].get("msg"))[:400])
            continue
        for entry in result["result"]["destinations"]:
            reported = entry["target_connection"]["patch"]
            mine = [p for p in patches if p["body"] == reported]
            if entry["status"] != "changed" or len(mine) != 1:
                dishonest += 1
            else:
                owned.add(mine[0]["seq"])
    dishonest += sum(1 for p in patches if p["seq"] not in owned)
    record(wide, WIDE_TARGET, "target connection: 4 batch runs x 2 items, 8 different params", runs, lost,
           dishonest, failed)
    assert failed == 0, failures
    assert lost == 0, params
    assert dishonest == 0
    assert len(patches) == WRITERS
