"""Fault matrix: every module against every fault the emulator can inject, on its reads and on its writes.

Each case ends in one of two ways, decided in advance from the retry budget (``retries: 2``, ``timeout: 1``):
the module converges, or it fails cleanly, with a message naming the cause (status, "gave up", "timed out",
"connection failed", "412"). Either way the emulator's stored state, read through the control API, is the old
state or the new one, never a mix, and nothing secret was printed (the ``run_module`` and ``play`` fixtures scan).
Each case is a figure: faults tried / survived / cleanly failed.
"""

from __future__ import annotations

import threading
import time

import pytest
from ansible_collections.aep.flow_service.plugins.modules import (
    aep_base_connection,
    aep_destination_connections,
    aep_flow_info,
    aep_target_connection,
)

import relkit
from relkit import AZURE_FLOW, BASE, FLOW, NEW_ACCESS_KEY, NEW_S3_SECRET, TARGET

RETRIES = 2
TIMEOUT = 1.0
SLOW_MS = 2500
OPTIONS = {"retries": RETRIES, "timeout": TIMEOUT}

NEW_TARGET_PARAMS = {"path": "exports/after-fault", "compression": "GZIP"}
NEW_AUTH = {"s3AccessKey": NEW_ACCESS_KEY, "s3SecretKey": NEW_S3_SECRET}

# name -> (fault spec without method/path, expected outcome, words the failure message must hold)
FAULTS = {
    "429 x1 (Retry-After 1)": ({"kind": "status", "status": 429, "headers": {"Retry-After": "1"}, "count": 1}, "survived", []),
    "429 x3 (Retry-After 1)": ({"kind": "status", "status": 429, "headers": {"Retry-After": "1"}, "count": 3},
                               "clean_failure", ["HTTP 429", "gave up after %d retries" % RETRIES]),
    "500 x1": ({"kind": "status", "status": 500, "count": 1}, "clean_failure", ["HTTP 500"]),
    "502 x2": ({"kind": "status", "status": 502, "count": 2}, "survived", []),
    "503 x2": ({"kind": "status", "status": 503, "count": 2}, "survived", []),
    "504 x2": ({"kind": "status", "status": 504, "count": 2}, "survived", []),
    "502 x3": ({"kind": "status", "status": 502, "count": 3}, "clean_failure", ["HTTP 502", "gave up after %d retries" % RETRIES]),
    "503 x3": ({"kind": "status", "status": 503, "count": 3}, "clean_failure", ["HTTP 503", "gave up after %d retries" % RETRIES]),
    "504 x3": ({"kind": "status", "status": 504, "count": 3}, "clean_failure", ["HTTP 504", "gave up after %d retries" % RETRIES]),
    "drop x1": ({"kind": "drop", "count": 1}, "survived", []),
    "drop x3": ({"kind": "drop", "count": 3}, "clean_failure", ["connection failed after 3 attempt(s)"]),
    "slower than timeout x1": ({"kind": "delay", "delay_ms": SLOW_MS, "count": 1}, "survived", []),
    "slower than timeout x3": ({"kind": "delay", "delay_ms": SLOW_MS, "count": 3}, "clean_failure",
                               ["timed out after 3 attempt(s)"]),
}

# A write slower than the timeout three times lands all the same (the emulator processes each delayed PATCH):
# the read after the client gave up shows our target params, so the task says changed (issue 12 item 7). A
# base connection's write cannot be confirmed that way (its secrets read back masked): it still fails cleanly.
CONFIRMED_BY_READ = {("write target connection", "slower than timeout x3"): "survived"}

MAINS = {"aep_flow_info": aep_flow_info.main, "aep_target_connection": aep_target_connection.main,
         "aep_base_connection": aep_base_connection.main}
ARGS = {
    "aep_flow_info": {"name": "2021 winter campaign", "include_connections": True},
    "aep_target_connection": {"flow_id": FLOW, "params": NEW_TARGET_PARAMS},
    "aep_base_connection": {"flow_id": FLOW, "auth_params": NEW_AUTH},
}
# (module, method, path pattern, what the request is)
TARGETS = [
    ("aep_flow_info", "GET", r"/flows$", "list dataflows"),
    ("aep_flow_info", "POST", r"/ims/token", "IMS token"),
    ("aep_target_connection", "GET", TARGET + "$", "read target connection"),
    ("aep_target_connection", "PATCH", TARGET, "write target connection"),
    ("aep_base_connection", "GET", BASE + "$", "read base connection"),
    ("aep_base_connection", "PATCH", BASE, "write base connection"),
]
# The three-times-slow case costs ~4 s a target: once per module, on the request that matters most.
SLOW_X3_TARGETS = {"list dataflows", "write target connection", "write base connection"}
CASES = [pytest.param(module, method, path, what, fault, id=("%s-%s-%s" % (module, what, fault)).replace(" ", "_"))
         for module, method, path, what in TARGETS for fault in FAULTS
         if fault != "slower than timeout x3" or what in SLOW_X3_TARGETS]


# --------------------------------------------------------------------------------------------- state checks

def snapshot(emu, module):
    if module == "aep_target_connection":
        return emu.resource("targetConnections", TARGET)
    if module == "aep_base_connection":
        return emu.resource("connections", BASE)
    return emu.resource("flows", FLOW)


def state_is_old_or_new(module, before, after):
    """(is old, is new): the managed fields are all old or all new, and nothing else moved."""
    if module == "aep_target_connection":
        managed = sorted(NEW_TARGET_PARAMS)
        old = all(after["params"].get(k) == before["params"].get(k) for k in managed)
        new = all(after["params"].get(k) == v for k, v in NEW_TARGET_PARAMS.items())
        others = {k: v for k, v in after["params"].items() if k not in managed} == \
            {k: v for k, v in before["params"].items() if k not in managed}
        return old and others and after["name"] == before["name"], new and others and after["name"] == before["name"]
    if module == "aep_base_connection":
        params = after["auth"]["params"]
        old = all(params.get(k) == before["auth"]["params"].get(k) for k in NEW_AUTH)
        new = all(params.get(k) == v for k, v in NEW_AUTH.items())
        return old, new
    return after == before, False


def settle(emu, limit=15.0):
    """Wait until every delayed request has been answered (a timed-out write may still land after the client gave up)."""
    deadline = time.monotonic() + limit
    while any(r["status"] is None for r in emu.requests()) and time.monotonic() < deadline:
        time.sleep(0.2)


def classify(run, module, before, after, words):
    """survived / clean_failure / unclean, and whether the stored state is a mix."""
    is_old, is_new = state_is_old_or_new(module, before, after)
    partial = not (is_old or is_new)
    # (ansible-core 2.19 adds "exception": "(traceback unavailable)" to every failed task result: not a crash)
    traceback = "Traceback (most recent call last)" in run.text or "Traceback" in str(run.result.get("exception", "")) \
        or "module_stderr" in run.result or "MODULE FAILURE" in run.text
    if not run.failed and run.code == 0:
        if module == "aep_flow_info":
            ok = [f["id"] for f in run.result.get("flows", [])] == [FLOW] and \
                run.result["flows"][0].get("base_connections")
        else:
            ok = is_new and run.result.get("changed") is True
        return ("survived" if ok and not partial else "unclean"), partial
    clean = run.failed and not traceback and not partial and all(w in run.msg for w in words) and " failed: " in run.msg
    if is_new and not is_old:
        # a write whose answer never came landed after all: the failure must say it may have been applied
        clean = clean and "may have been applied" in run.msg
    return ("clean_failure" if clean else "unclean"), partial


# --------------------------------------------------------------------------------------------- the matrix

@pytest.mark.parametrize("module, method, path, what, fault", CASES)
def test_fault_matrix(emulator, run_module, module, method, path, what, fault):
    spec, expected, words = FAULTS[fault]
    expected = CONFIRMED_BY_READ.get((what, fault), expected)
    before = snapshot(emulator, module)
    emulator.add_fault(method=method, path=path, **spec)
    run = run_module(MAINS[module], dict(ARGS[module], **OPTIONS), scenario="fault %s on %s" % (fault, what),
                     tags=("retries",), diff=module != "aep_flow_info")
    if spec["kind"] == "delay":
        settle(emulator)
    after = snapshot(emulator, module)
    outcome, partial = classify(run, module, before, after, words)
    relkit.record("fault", module=module, target=what, fault=fault, layer="module in-process", outcome=outcome,
                  expected=expected, partial_write=partial, elapsed=round(run.elapsed, 2), msg=run.msg[:300])
    assert not partial, "stored state is neither old nor new: %s" % after
    assert outcome == expected, "%s: %s (expected %s)\n%s" % (fault, outcome, expected, run.msg or run.result)
    if fault.startswith("429 x1"):
        assert run.elapsed >= 1.0, "Retry-After: 1 must be honoured"
    if expected == "survived" and module != "aep_flow_info":
        assert run_module(MAINS[module], dict(ARGS[module], update_secrets="on_change") if module == "aep_base_connection"
                          else ARGS[module], scenario="rerun after %s" % fault).result["changed"] is False


# --------------------------------------------------------------------------------------------- the batch module

DEV_FLOW = "00000007-0000-4000-8000-000000000001"
AZURE_TARGET = "00000002-0000-4000-8000-000000000002"
BATCH = [
    {"label": "hit", "flow_id": FLOW, "params": NEW_TARGET_PARAMS, "auth_params": NEW_AUTH},
    {"label": "azure", "flow_id": AZURE_FLOW, "params": {"container": "after-fault"}},
    {"label": "dev", "flow_id": DEV_FLOW, "sandbox": "dev", "params": {"path": "dev/after-fault"}},
]
BATCH_FAULTS = ["429 x1 (Retry-After 1)", "500 x1", "503 x2", "503 x3", "drop x1", "drop x3", "slower than timeout x3"]
BATCH_CASES = [pytest.param(method, path, what, fault, id=("%s-%s" % (what, fault)).replace(" ", "_"))
               for method, path, what in [("GET", TARGET + "$", "read target connection"),
                                          ("PATCH", TARGET, "write target connection"),
                                          ("PATCH", BASE, "write base connection")]
               for fault in BATCH_FAULTS
               if fault != "slower than timeout x3" or what != "read target connection"]


@pytest.mark.parametrize("method, path, what, fault", BATCH_CASES)
def test_batch_fault_touches_only_the_destination_it_hits(emulator, run_module, method, path, what, fault):
    """aep_destination_connections with 3 destinations, 3 workers: a fault on one connection's request.

    The destination hit converges or fails cleanly on its own (its entry names the cause; an unanswered write
    that landed says so); the two others converge whatever happens; no stored state is a mix.
    """
    spec, expected, words = FAULTS[fault]
    expected = CONFIRMED_BY_READ.get((what, fault), expected)
    module = "aep_base_connection" if "base" in what else "aep_target_connection"
    before = snapshot(emulator, module)
    emulator.add_fault(method=method, path=path, **spec)
    run = run_module(aep_destination_connections.main, dict(OPTIONS, destinations=BATCH, workers=3),
                     scenario="batch: fault %s on %s" % (fault, what), tags=("retries",), diff=True)
    if spec["kind"] == "delay":
        settle(emulator)
    after = snapshot(emulator, module)
    is_old, is_new = state_is_old_or_new(module, before, after)
    partial = not (is_old or is_new)
    entries = run.result.get("destinations") or []
    hit = entries[0] if entries else {}
    others_ok = [e.get("status") for e in entries[1:]] == ["changed", "changed"]
    if hit.get("status") == "changed":
        outcome = "survived" if is_new and not run.failed else "unclean"
    else:
        clean = (hit.get("status") == "failed" and all(w in hit.get("error", "") for w in words)
                 and " failed: " in hit.get("error", "") and run.failed
                 and run.msg.startswith("1 of 3 destinations failed: hit: FAILED"))
        if is_new and not is_old:
            clean = clean and "may have been applied" in hit["error"] and hit.get("write_unconfirmed") is True
        outcome = "clean_failure" if clean else "unclean"
    outcome = outcome if others_ok and not partial else "unclean"
    relkit.record("fault", module="aep_destination_connections", target=what, fault=fault,
                  layer="module in-process (batch)", outcome=outcome, expected=expected, partial_write=partial,
                  elapsed=round(run.elapsed, 2), msg=(hit.get("error") or "")[:300])
    assert not partial, "stored state is neither old nor new: %s" % after
    assert others_ok, entries
    assert outcome == expected, "%s: %s (expected %s)\n%s" % (fault, outcome, expected, run.result)
    assert emulator.resource("targetConnections", AZURE_TARGET)["params"]["container"] == "after-fault"


# --------------------------------------------------------------------------------------------- tokens and races

def _when_seen(emu, method, path_end, action, limit=30.0, answered=True):
    """Run ``action`` in a thread as soon as the emulator has logged ``method`` on a path ending in ``path_end``.

    With ``answered=False`` a request still on its way counts too (a ``delay`` fault holds it before the API sees it).
    """

    def watch():
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if any(r["method"] == method and r["path"].endswith(path_end) and (r["status"] or not answered)
                   for r in emu.requests()):
                action()
                return
            time.sleep(0.02)

    thread = threading.Thread(target=watch)
    thread.start()
    return thread


@pytest.mark.parametrize("module", ["aep_target_connection", "aep_base_connection"])
def test_token_expiring_between_read_and_write(emulator, run_module, module):
    """The token the module minted expires while its PATCH is on the way: it re-mints once and converges."""
    rid = TARGET if module == "aep_target_connection" else BASE
    before = snapshot(emulator, module)
    emulator.add_fault(method="PATCH", path=rid, kind="delay", delay_ms=800, count=1)
    # Expire the token once the PATCH is held by the delay, before the API checks it: after the last read, whatever
    # reads the module makes in between (expiring it when the GET is answered raced the spec read under load).
    watcher = _when_seen(emulator, "PATCH", rid, emulator.expire_tokens, answered=False)
    run = run_module(MAINS[module], dict(ARGS[module], **OPTIONS), scenario="token expiring mid-run")
    watcher.join()
    after = snapshot(emulator, module)
    outcome, partial = classify(run, module, before, after, [])
    relkit.record("fault", module=module, target="token", fault="token expires between read and write",
                  layer="module in-process", outcome=outcome, expected="survived", partial_write=partial,
                  elapsed=round(run.elapsed, 2), msg=run.msg[:300])
    assert outcome == "survived", run.result
    assert len(emulator.requests(path_contains="/ims/token")) == 2
    assert [r["status"] for r in emulator.requests(method="PATCH")] == [401, 200]


@pytest.mark.parametrize("module", sorted(MAINS))
def test_cached_token_expiring_between_runs(emulator, run_module, module):
    """With token_cache a later task reuses the token; when it has expired in between: one 401, one new token."""
    first = run_module(MAINS["aep_flow_info"], dict(ARGS["aep_flow_info"], token_cache=True), scenario="token cache warm-up")
    assert not first.failed, first.result
    emulator.expire_tokens()
    emulator.clear_requests()
    before = snapshot(emulator, module)
    run = run_module(MAINS[module], dict(ARGS[module], token_cache=True, **OPTIONS), scenario="cached token expired")
    after = snapshot(emulator, module)
    outcome, partial = classify(run, module, before, after, [])
    relkit.record("fault", module=module, target="token", fault="cached token expired between tasks",
                  layer="module in-process", outcome=outcome, expected="survived", partial_write=partial,
                  elapsed=round(run.elapsed, 2), msg=run.msg[:300])
    assert outcome == "survived", run.result
    assert len(emulator.requests(path_contains="/ims/token")) == 1
    assert [r["status"] for r in emulator.requests()].count(401) == 1


@pytest.mark.parametrize("module", ["aep_target_connection", "aep_base_connection"])
def test_412_race_keeps_their_change_and_lands_ours(emulator, run_module, module):
    """Someone renames the connection between our read and our write: 412, read again, their name stays, ours lands."""
    rid = TARGET if module == "aep_target_connection" else BASE
    collection = "targetConnections" if module == "aep_target_connection" else "connections"
    before = snapshot(emulator, module)
    emulator.add_fault(method="PATCH", path=rid, kind="delay", delay_ms=600, count=1)
    watcher = _when_seen(emulator, "PATCH", rid, lambda: emulator.edit(
        collection, rid, [{"op": "replace", "path": "/name", "value": "renamed in the UI"}]), answered=False)
    run = run_module(MAINS[module], dict(ARGS[module], **OPTIONS), scenario="412 race")
    watcher.join()
    after = snapshot(emulator, module)
    before_renamed = dict(before, name="renamed in the UI")
    outcome, partial = classify(run, module, before_renamed, after, [])
    relkit.record("fault", module=module, target="write", fault="412 race (edit between read and write)",
                  layer="module in-process", outcome=outcome, expected="survived", partial_write=partial,
                  elapsed=round(run.elapsed, 2), msg=run.msg[:300])
    assert outcome == "survived", run.result
    assert after["name"] == "renamed in the UI"
    assert [r["status"] for r in emulator.requests(method="PATCH")] == [412, 200]


@pytest.mark.parametrize("module", ["aep_target_connection", "aep_base_connection"])
def test_412_every_time_gives_up_cleanly_without_writing(emulator, run_module, module):
    rid = TARGET if module == "aep_target_connection" else BASE
    before = snapshot(emulator, module)
    emulator.add_fault(method="PATCH", path=rid, kind="status", status=412, count=50)
    run = run_module(MAINS[module], dict(ARGS[module], **OPTIONS), scenario="412 every time")
    after = snapshot(emulator, module)
    outcome, partial = classify(run, module, before, after, ["412", "nothing of ours was written"])
    relkit.record("fault", module=module, target="write", fault="412 on every write", layer="module in-process",
                  outcome=outcome, expected="clean_failure", partial_write=partial, elapsed=round(run.elapsed, 2),
                  msg=run.msg[:300])
    assert outcome == "clean_failure", run.result
    assert after == before


# --------------------------------------------------------------------------------------------- through ansible-playbook

PLAYBOOK_CASES = [
    ("aep_target_connection", "PATCH", TARGET, "429 x1 (Retry-After 1)"),
    ("aep_target_connection", "GET", TARGET + "$", "503 x3"),
    ("aep_base_connection", "PATCH", BASE, "drop x1"),
    ("aep_base_connection", "PATCH", BASE, "500 x1"),
    ("aep_flow_info", "GET", r"/flows$", "slower than timeout x1"),
]
PLAYBOOKS = {"aep_flow_info": ("flow_info.yml", "Look up dataflows"),
             "aep_target_connection": ("target_connection.yml", "Converge the target connection"),
             "aep_base_connection": ("base_connection.yml", "Converge the base connection")}


@pytest.mark.parametrize("module, method, path, fault", PLAYBOOK_CASES,
                         ids=["%s-%s-%s" % (c[0], c[1], c[3].replace(" ", "_")) for c in PLAYBOOK_CASES])
def test_fault_through_ansible_playbook(emulator, play, module, method, path, fault):
    spec, expected, words = FAULTS[fault]
    before = snapshot(emulator, module)
    emulator.add_fault(method=method, path=path, **spec)
    playbook, task = PLAYBOOKS[module]
    run = play(playbook, extra_vars={"module_args": dict(ARGS[module], **OPTIONS)}, diff=True, tags=("retries",),
               scenario="fault %s via ansible-playbook" % fault)
    if spec["kind"] == "delay":
        settle(emulator)
    after = snapshot(emulator, module)
    result = run.task(task)

    class Shim:  # classify() reads an in-process run; give it the task result
        failed = result["status"] == "failed"
        code = run.rc
        text = run.output
        msg = str(result["result"].get("msg", ""))

    Shim.result = result["result"]
    outcome, partial = classify(Shim, module, before, after, words)
    relkit.record("fault", module=module, target="%s %s" % (method, path), fault=fault, layer="ansible-playbook",
                  outcome=outcome, expected=expected, partial_write=partial, elapsed=None, msg=Shim.msg[:300])
    assert not partial
    assert outcome == expected, run.output[-3000:]
    assert "MODULE FAILURE" not in run.output and "Traceback" not in run.output


def test_token_expiring_mid_play_with_token_cache(emulator, play):
    """A play whose cached token expires between two tasks: one 401, one new token, every task converges."""
    run = play("token_expiry_mid_play.yml", env={"AEP_TOKEN_CACHE": "true"},
               extra_vars={"emulator_url": emulator.url, "flow_id": FLOW, "new_path": "exports/mid-play",
                           "auth_params": NEW_AUTH},
               scenario="token expiring mid-play")
    ok = run.rc == 0 and [r["status"] for r in run.results] == ["ok", "changed", "ok", "changed", "ok"]
    relkit.record("fault", module="play (flow_info, target, base)", target="token", fault="token expires mid-play",
                  layer="ansible-playbook", outcome="survived" if ok else "unclean", expected="survived",
                  partial_write=False, elapsed=None, msg="")
    assert ok, run.output[-3000:]
    assert len(emulator.requests(path_contains="/ims/token")) == 2
    assert [r["status"] for r in emulator.requests()].count(401) == 1
    assert emulator.resource("targetConnections", TARGET)["params"]["path"] == "exports/mid-play"
    assert emulator.resource("connections", BASE)["auth"]["params"]["s3SecretKey"] == NEW_S3_SECRET


@pytest.mark.parametrize("module", ["aep_target_connection", "aep_base_connection"])
def test_an_answer_about_another_resource_is_refused_without_writing(emulator, run_module, module):
    """A misrouted answer (a proxy, a rewritten path): the GET of our connection returns another one."""
    rid, other, collection = ((TARGET, "00000002-0000-4000-8000-000000000002", "targetConnections")
                              if module == "aep_target_connection"
                              else (BASE, "00000002-0000-4000-8000-000000000003", "connections"))
    before = snapshot(emulator, module)
    wrong = emulator.resource(collection, other)
    emulator.add_fault(method="GET", path=rid + "$", kind="status", status=200, body={"items": [wrong]}, count=1)
    run = run_module(MAINS[module], dict(ARGS[module], **OPTIONS), scenario="answer about another resource")
    after = snapshot(emulator, module)
    outcome, partial = classify(run, module, before, after, ["instead of " + rid])
    relkit.record("fault", module=module, target="read", fault="answer about another resource",
                  layer="module in-process", outcome=outcome, expected="clean_failure", partial_write=partial,
                  elapsed=round(run.elapsed, 2), msg=run.msg[:300])
    assert outcome == "clean_failure", run.result
    assert relkit.write_requests(emulator) == []
