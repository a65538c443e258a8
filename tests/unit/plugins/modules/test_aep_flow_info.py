"""aep_flow_info main(): lookups by id, name and filters, connections with secrets masked, request counts."""

from __future__ import annotations

from ansible_collections.aep.flow_service.plugins.modules.aep_flow_info import main

FLOW = "226fb2e1-db69-4760-b67e-9e671e05abfc"
TARGET = "8ce3dc63-3766-4220-9f61-51d2f8f14618"
BASE = "7fbf542b-83ed-498f-8838-8fde0c4d4d69"


def api_gets(emulator):
    return list(emulator.requests(method="GET"))


def test_by_id_returns_the_connection_ids(emulator, run_module):
    code, result = run_module(main, {"id": FLOW})
    assert code == 0, result
    assert result["changed"] is False
    (flow,) = result["flows"]
    assert flow["target_connection_ids"] == [TARGET]
    assert flow["base_connection_ids"] == [BASE]
    assert flow["source_connection_ids"]
    assert len(api_gets(emulator)) == 1


def test_unknown_id_is_an_empty_list(run_module):
    code, result = run_module(main, {"id": "00000000-0000-0000-0000-000000000000"})
    assert code == 0 and result["flows"] == []


def test_by_exact_name(run_module):
    code, result = run_module(main, {"name": "2021 winter campaign"})
    assert code == 0
    assert [f["id"] for f in result["flows"]] == [FLOW]


def test_destinations_only_filters_source_flows(run_module):
    dummy, destinations = run_module(main, {})
    dummy, everything = run_module(main, {"destinations_only": False})
    assert all(f["inheritedAttributes"]["properties"]["isDestinationFlow"] for f in destinations["flows"])
    assert len(everything["flows"]) > len(destinations["flows"])


def test_property_filters_are_anded(run_module):
    code, result = run_module(main, {"property": [
        "inheritedAttributes.targetConnections[].connectionSpec.id==4fce964d-3f37-408f-9778-e597338a21ee",
        "state==enabled"]})
    assert code == 0 and result["flows"]
    for flow in result["flows"]:
        assert flow["state"] == "enabled"
        specs = {t["connectionSpec"]["id"] for t in flow["inheritedAttributes"]["targetConnections"]}
        assert "4fce964d-3f37-408f-9778-e597338a21ee" in specs


def test_include_connections_masks_secrets(emulator, run_module):
    stored_secret = emulator.resource("connections", BASE)["auth"]["params"]["s3SecretKey"]
    code, result = run_module(main, {"id": FLOW, "include_connections": True})
    assert code == 0
    (flow,) = result["flows"]
    assert [t["id"] for t in flow["target_connections"]] == [TARGET]
    assert flow["base_connections"][0]["auth"]["params"]["s3SecretKey"] == "********"
    assert stored_secret not in repr(result)
    assert len(api_gets(emulator)) == 4  # flow, target, base, connection spec


def test_sandbox_isolation(run_module):
    code, result = run_module(main, {"id": FLOW, "sandbox": "dev"})
    assert code == 0 and result["flows"] == []


def test_bad_options_fail_before_any_request(emulator, run_module, monkeypatch):
    monkeypatch.delenv("AEP_CLIENT_SECRET")
    code, result = run_module(main, {"id": FLOW})
    assert code == 1
    assert "no credentials" in result["msg"]
    assert emulator.requests() == []


def test_id_and_name_are_exclusive(emulator, run_module):
    code, result = run_module(main, {"id": FLOW, "name": "x"})
    assert code == 1 and "mutually exclusive" in result["msg"]
    assert emulator.requests() == []


def test_api_error_message_is_actionable(emulator, run_module):
    emulator.add_fault(method="GET", path="/flows", kind="status", status=500, count=1)
    code, result = run_module(main, {"id": FLOW})
    assert code == 1
    assert result["msg"].startswith("Reading dataflow %s failed: GET http" % FLOW)
    assert "HTTP 500" in result["msg"] and "request id" in result["msg"]
    assert result["api_error"]["status"] == 500
    assert "aep-demo-secret" not in repr(result)
