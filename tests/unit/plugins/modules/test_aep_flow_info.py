"""aep_flow_info main(): lookups by id, name and filters, connections with secrets masked, request counts."""

from __future__ import annotations

from ansible_collections.aep.flow_service.plugins.modules.aep_flow_info import main

FLOW = "226fb2e1-db69-4760-b67e-9e671e05abfc"
TARGET = "8ce3dc63-3766-4220-9f61-51d2f8f14618"
BASE = "7fbf542b-83ed-498f-8838-8fde0c4d4d69"
S3_SPEC = "4fce964d-3f37-408f-9778-e597338a21ee"
TWO_TARGETS = "00000005-0000-4000-8000-000000000001"


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
    assert flow["destination_name"] == "Amazon S3"
    assert flow["destination_spec_id"] == S3_SPEC
    assert flow["destinations"] == [{"target_connection_id": TARGET, "base_connection_id": BASE,
                                     "spec_id": S3_SPEC, "name": "Amazon S3"}]
    assert result["sandbox"] == "prod" and result["platform_url"] == emulator.url
    assert [r["path"].rsplit("/", 2)[-2] for r in api_gets(emulator)] == ["flows", "connectionSpecs"]


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
    assert len(api_gets(emulator)) == 4  # flow, connection spec, target, base
    (entry,) = flow["destinations"]
    assert entry["params"]["bucketName"] == "acme-winter-campaign"
    assert entry["location"] == {"bucketName": "acme-winter-campaign", "path": "exports/2021-winter"}
    assert entry["auth_fields"] == ["s3AccessKey", "s3SecretKey"]
    assert entry["secret_auth_fields"] == ["s3SecretKey"]
    assert "s3AccessKey" not in repr(entry["params"]) and "auth_params" not in entry


def test_every_destination_is_named_and_each_spec_read_once(emulator, run_module):
    code, result = run_module(main, {"sandbox": "prod", "include_connections": True})
    assert code == 0, result
    names = {f["name"]: f["destination_name"] for f in result["flows"]}
    assert names["2021 winter campaign"] == "Amazon S3"
    assert names["ACME daily Azure export"] == "Azure Blob Storage"
    assert names["ACME Pinterest audiences"] == "Pinterest"
    assert names["ACME Google Ad Manager audiences"] == "Google Ad Manager"
    spec_reads = [r["path"] for r in api_gets(emulator) if "/connectionSpecs/" in r["path"]]
    distinct = {e["spec_id"] for f in result["flows"] for e in f["destinations"]}
    assert len(spec_reads) == len(set(spec_reads)) == len(distinct)  # once per distinct spec, per run
    (pinterest,) = [f for f in result["flows"] if f["name"] == "ACME Pinterest audiences"]
    assert pinterest["destinations"][0]["params"] == {"advertiser_id": "549755813888"}
    assert pinterest["destinations"][0]["location"] == {}
    assert pinterest["destinations"][0]["secret_auth_fields"] == ["accessToken", "refreshToken"]


def test_a_flow_with_two_targets_has_one_entry_per_target(run_module):
    code, result = run_module(main, {"id": TWO_TARGETS, "include_connections": True})
    assert code == 0, result
    entries = result["flows"][0]["destinations"]
    assert [e["target_connection_id"] for e in entries] == result["flows"][0]["target_connection_ids"]
    assert [e["location"]["bucketName"] for e in entries] == ["acme-two-targets-a", "acme-two-targets-b"]
    assert len({e["base_connection_id"] for e in entries}) == 2


def test_target_params_the_spec_marks_secret_are_never_returned(emulator, run_module):
    # No published target spec has a secret param; one that did must not leak through params or location.
    emulator.edit("connectionSpecs", S3_SPEC,
                  [{"op": "add", "path": "/targetSpec/spec/properties/path/format", "value": "password"}])
    code, result = run_module(main, {"id": FLOW, "include_connections": True})
    assert code == 0, result
    flow = result["flows"][0]
    assert "path" not in flow["destinations"][0]["params"] and "path" not in flow["destinations"][0]["location"]
    assert flow["target_connections"][0]["params"]["path"] == "********"
    assert "exports/2021-winter" not in repr(result)


def test_a_spec_that_cannot_be_read_leaves_the_name_null(emulator, run_module):
    emulator.add_fault(method="GET", path="/connectionSpecs/", kind="status", status=404, count=1)
    code, result = run_module(main, {"id": FLOW})
    assert code == 0, result
    assert result["flows"][0]["destination_name"] is None
    assert result["flows"][0]["destination_spec_id"] == S3_SPEC


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
