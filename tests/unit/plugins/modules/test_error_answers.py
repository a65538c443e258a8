"""Modules on error answers (issue 11 items 3 and 11): a wrong URL, the sandbox codes, Adobe's short bodies."""

from __future__ import annotations

import pytest

from ansible_collections.aep.flow_service.plugins.modules import (
    aep_base_connection,
    aep_destination_connections,
    aep_flow_info,
    aep_target_connection,
)

FLOW = "226fb2e1-db69-4760-b67e-9e671e05abfc"
TARGET = "8ce3dc63-3766-4220-9f61-51d2f8f14618"
BASE = "7fbf542b-83ed-498f-8838-8fde0c4d4d69"
MISSING = "00000000-0000-4000-8000-00000000dead"

CASES = {
    "aep_flow_info by id": (aep_flow_info.main, {"id": FLOW}),
    "aep_flow_info list": (aep_flow_info.main, {}),
    "aep_target_connection": (aep_target_connection.main, {"flow_id": FLOW, "params": {"path": "x"}}),
    "aep_base_connection": (aep_base_connection.main, {"flow_id": FLOW, "name": "x"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_wrong_platform_url_fails_naming_the_url(emulator, run_module, monkeypatch, case):
    """Today aep_flow_info says ok with no flows and the others say the dataflow does not exist."""
    wrong = emulator.url + "/aep"
    monkeypatch.setenv("AEP_PLATFORM_URL", wrong)
    main, args = CASES[case]
    code, result = run_module(main, args)
    assert code == 1 and result["failed"], result
    assert "platform_url %s does not lead to the Flow Service API" % wrong in result["msg"]
    assert wrong + "/data/foundation/flowservice/flows" in result["msg"]
    assert "Check platform_url" in result["msg"] and "not found in sandbox" not in result["msg"]
    assert not [r for r in emulator.requests() if r["method"] == "PATCH"]


def test_a_wrong_platform_url_fails_each_batch_destination(emulator, run_module, monkeypatch):
    monkeypatch.setenv("AEP_PLATFORM_URL", emulator.url + "/aep")
    code, result = run_module(aep_destination_connections.main,
                              {"destinations": [{"flow_id": FLOW, "params": {"path": "x"}}]})
    assert code == 1
    (entry,) = result["destinations"]
    assert "does not lead to the Flow Service API" in entry["error"] and "not found in sandbox" not in entry["error"]


def test_a_missing_dataflow_still_says_so(run_module):
    code, result = run_module(aep_target_connection.main, {"flow_id": MISSING, "params": {"path": "x"}})
    assert code == 1 and "dataflow %s was not found in sandbox prod" % MISSING in result["msg"]
    code, result = run_module(aep_flow_info.main, {"id": MISSING})
    assert code == 0 and result["flows"] == []


def test_adobes_short_404_for_a_missing_dataflow_is_not_found(emulator, run_module):
    text = "flows not found with id = [%s]" % MISSING
    emulator.add_fault(method="GET", path=MISSING, kind="status", status=404,
                       body={"errorMessage": text, "errorDetails": text})
    code, result = run_module(aep_target_connection.main, {"flow_id": MISSING, "params": {"path": "x"}})
    assert code == 1 and "dataflow %s was not found in sandbox prod" % MISSING in result["msg"]


@pytest.mark.parametrize("code", ["2100", "2101", "2103"])
def test_the_sandbox_codes_fail_with_what_to_do(emulator, run_module, code):
    message = "The sandbox with the name 'qa' could not be found."
    emulator.add_fault(method="GET", path="/flowservice/", kind="status", status=404, body={
        "type": "https://ns.adobe.com/aep/errors/FLOW-%s-404" % code, "title": "Sandbox not found", "status": 404,
        "report": {"detailed-message": message, "request-id": "req-sbx"}, "errorMessage": message})
    exit_code, result = run_module(aep_target_connection.main, {"flow_id": FLOW, "params": {"path": "x"}, "sandbox": "qa"})
    assert exit_code == 1
    msg = result["msg"]
    assert "HTTP 404" in msg and "FLOW-%s-404" % code in msg and "req-sbx" in msg
    assert "sandbox 'qa' was not found" in msg and "Check the sandbox option" in msg
    assert "Check the id" not in msg
    assert result["api_error"]["status"] == 404 and result["api_error"]["request_id"] == "req-sbx"


def test_adobes_short_412_is_retried_and_lands(emulator, run_module):
    text = 'Supplied version=["a"] does not match the current version on entity=["b"]'
    emulator.add_fault(method="PATCH", path=TARGET, kind="status", status=412,
                       body={"errorMessage": text, "errorDetails": text})
    code, result = run_module(aep_target_connection.main, {"flow_id": FLOW, "params": {"path": "after/412"}})
    assert code == 0 and result["changed"] is True, result
    assert emulator.resource("targetConnections", TARGET)["params"]["path"] == "after/412"
    assert [r["status"] for r in emulator.requests(method="PATCH")] == [412, 200]


def test_a_short_412_that_never_ends_fails_with_status_and_what_to_do(emulator, run_module):
    text = 'Supplied version=["a"] does not match the current version on entity=["b"]'
    emulator.add_fault(method="PATCH", path=BASE, kind="status", status=412, count=50,
                       body={"errorMessage": text, "errorDetails": text})
    code, result = run_module(aep_base_connection.main, {"flow_id": FLOW, "name": "renamed"})
    assert code == 1
    assert "412 Precondition Failed" in result["msg"] and "Run again when the other writer is done" in result["msg"]
    assert "request id" in result["msg"]
