"""Error answers through real ansible-playbook runs (issue 11 items 3, 11 and 12).

The modules, the batch module and the role against a wrong platform_url, the three sandbox-not-found codes,
Adobe's short 404/412 bodies (the emulator's ``error_shape: short``) and connection writes refused while an
operation is in progress (1416). The emulator's request log proves that nothing is written twice and that a
failure writes nothing.
"""

from __future__ import annotations

import threading
import time

import pytest

from playhelpers import writes

FLOW = "226fb2e1-db69-4760-b67e-9e671e05abfc"
TARGET = "8ce3dc63-3766-4220-9f61-51d2f8f14618"
BASE = "7fbf542b-83ed-498f-8838-8fde0c4d4d69"
MISSING = "00000000-0000-4000-8000-00000000dead"
BUSY_1416 = {
    "type": "https://ns.adobe.com/aep/errors/FLOW-1416-400", "title": "Invalid request", "status": 400,
    "report": {"detailed-message": "Delete or Update can only be applied on connection with enabled, disabled or "
                                   "initializing state.", "request-id": "req-busy"},
    "errorMessage": "Delete or Update can only be applied on connection with enabled, disabled or initializing state.",
}

PLAYS = {
    "aep_flow_info": ("flow_info.yml", "Look up dataflows", {"module_args": {"id": FLOW}}),
    "aep_target_connection": ("target_connection.yml", "Converge the target connection",
                              {"module_args": {"flow_id": FLOW, "params": {"path": "x"}}}),
    "aep_base_connection": ("base_connection.yml", "Converge the base connection",
                            {"module_args": {"flow_id": FLOW, "name": "x"}}),
    "aep_destination_connections": ("destination_connections.yml", "Converge the destinations",
                                    {"module_args": {"destinations": [{"flow_id": FLOW, "params": {"path": "x"}}]}}),
    "role": ("role_converge.yml", "Run the role", {"destinations": [{"flow_id": FLOW, "params": {"path": "x"}}]}),
}


def patch_statuses(emulator, rid):
    return [r["status"] for r in writes(emulator, rid) if r["method"] == "PATCH"]


def message_of(run, name):
    """The failure text a user reads: the task's msg, or a batch item's error."""
    if name in ("aep_destination_connections", "role"):
        return run.output
    return str(run.task(PLAYS[name][1])["result"].get("msg", ""))


@pytest.mark.parametrize("name", sorted(PLAYS))
def test_a_wrong_platform_url_fails_naming_the_url_and_writes_nothing(emulator, play, name):
    wrong = emulator.url + "/aep"
    playbook, dummy, extra_vars = PLAYS[name]
    run = play(playbook, extra_vars=extra_vars, env={"AEP_PLATFORM_URL": wrong})
    assert run.rc != 0, run.output
    text = message_of(run, name)
    assert "platform_url %s does not lead to the Flow Service API" % wrong in text
    assert wrong + "/data/foundation/flowservice/flows" in text
    assert "not found in sandbox" not in text and "Traceback (most recent" not in run.output
    assert writes(emulator) == []


@pytest.mark.parametrize("code", ["2100", "2101", "2103"])
def test_each_sandbox_code_fails_with_the_sandbox_and_what_to_check(emulator, play, code):
    emulator.settings(sandbox_error=code)
    run = play("target_connection.yml", extra_vars={"module_args": {"flow_id": FLOW, "params": {"path": "x"},
                                                                    "sandbox": "no-such-sandbox"}})
    msg = str(run.task("Converge the target connection")["result"].get("msg"))
    assert run.rc != 0
    assert "HTTP 404, FLOW-%s-404" % code in msg and "request id" in msg
    assert "sandbox 'no-such-sandbox' was not found" in msg and "Check the sandbox option" in msg
    assert writes(emulator) == []


@pytest.mark.parametrize("code", ["2101", "2103"])
def test_a_sandbox_code_fails_only_its_destination_in_the_role(emulator, play, code):
    emulator.settings(sandbox_error=code)
    run = play("role_converge.yml", extra_vars={"destinations": [
        {"label": "lost", "flow_id": FLOW, "sandbox": "no-such-sandbox", "params": {"path": "x"}},
        {"label": "fine", "flow_id": FLOW, "params": {"path": "role/after-sandbox-error"}}]})
    assert run.rc != 0
    assert "sandbox 'no-such-sandbox' was not found" in run.output and "FLOW-%s-404" % code in run.output
    assert "1 of 2 destinations failed: lost" in run.output
    assert patch_statuses(emulator, TARGET) == [200]
    assert emulator.resource("targetConnections", TARGET)["params"]["path"] == "role/after-sandbox-error"


def test_short_404_is_still_a_missing_dataflow(emulator, play):
    emulator.settings(error_shape="short")
    run = play("target_connection.yml", extra_vars={"module_args": {"flow_id": MISSING, "params": {"path": "x"}}})
    assert run.rc != 0
    assert "dataflow %s was not found in sandbox prod" % MISSING in run.task("Converge the target connection")[
        "result"]["msg"]
    info = play("flow_info.yml", extra_vars={"module_args": {"id": MISSING}})
    assert info.rc == 0 and info.task("Look up dataflows")["result"]["flows"] == []


def test_short_412_of_a_real_race_is_read_again_and_lands_once(emulator, play):
    """Someone renames the connection while our PATCH is on its way: short 412, read again, theirs kept, ours lands."""
    emulator.settings(error_shape="short")
    emulator.add_fault(method="PATCH", path=TARGET, kind="delay", delay_ms=1500)

    def rename_when_our_patch_arrives():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not emulator.requests(method="PATCH", path_contains=TARGET):
            time.sleep(0.05)
        emulator.edit("targetConnections", TARGET, [{"op": "replace", "path": "/name", "value": "renamed by them"}])

    other = threading.Thread(target=rename_when_our_patch_arrives)
    other.start()
    run = play("target_connection.yml", extra_vars={"module_args": {"flow_id": FLOW, "params": {"path": "race/short"}}})
    other.join()
    assert run.rc == 0, run.output
    assert run.task("Converge the target connection")["status"] == "changed"
    assert patch_statuses(emulator, TARGET) == [412, 200]
    stored = emulator.resource("targetConnections", TARGET)
    assert stored["name"] == "renamed by them" and stored["params"]["path"] == "race/short"


@pytest.mark.parametrize("name", ["aep_target_connection", "aep_destination_connections"])
def test_a_write_refused_while_an_operation_is_in_progress_is_retried_and_lands_once(emulator, play, name):
    emulator.add_fault(method="PATCH", path=TARGET, kind="status", status=400, body=BUSY_1416, count=2)
    playbook, task, extra_vars = PLAYS[name]
    started = time.monotonic()
    run = play(playbook, extra_vars=extra_vars)
    assert run.rc == 0, run.output
    assert run.task(task)["status"] == "changed"
    assert patch_statuses(emulator, TARGET) == [400, 400, 200]  # one landed write
    assert time.monotonic() - started >= 0.75  # waited: at least half of 0.5 s, then half of 1 s
    assert emulator.resource("targetConnections", TARGET)["params"]["path"] == "x"


def test_a_dataflow_patch_while_the_last_one_is_applied_waits_it_out(emulator, play):
    """Adobe applies dataflow writes asynchronously: a PATCH during ``updating`` gets 1416 and is sent again later."""
    emulator.settings(settle_ms=10000)  # longer than ansible-playbook takes to start
    first = play("flow.yml", extra_vars={"module_args": {"id": FLOW, "name": "first rename", "wait": False}})
    assert first.rc == 0, first.output
    assert emulator.resource("flows", FLOW)["state"] == "updating"
    run = play("flow.yml", extra_vars={"module_args": {"id": FLOW, "name": "second rename"}})
    assert run.rc == 0, run.output
    assert run.task("Converge the dataflow")["status"] == "changed"
    statuses = [r["status"] for r in writes(emulator, FLOW) if r["method"] == "PATCH"]
    assert statuses[0] == 200 and statuses[-1] == 200 and set(statuses[1:-1]) == {400}
    assert len(statuses) >= 3  # at least one refusal waited out; exactly two PATCHes landed
    refused = [r for r in writes(emulator, FLOW) if r["method"] == "PATCH" and r["status"] == 400]
    assert all(r["body"] == [{"op": "replace", "path": "/name", "value": "second rename"}] for r in refused)
    stored = emulator.resource("flows", FLOW)
    assert stored["name"] == "second rename"
