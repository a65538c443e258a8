"""Issue point 10: the control API (request log, reset, resources, out-of-band edits, token expiry, health)."""
from __future__ import annotations

import time

import pytest
import requests
from emu_support import BASE, DEV_FLOW, FLOW, S3_SPEC, TARGET, TOKEN_FORM, flow_error

from harness import DEMO_CLIENT_ID, EmulatorError, ResourceNotFound


def test_health(emulator):
    response = requests.get(emulator.url + "/_emulator/health", timeout=10)
    assert response.status_code == 200 and response.json() == {"ok": True}


def test_request_log_entries(emulator, api):
    etag = api.etag(f"/flows/{FLOW}")
    ops = [{"op": "replace", "path": "/name", "value": "logged"}]
    api.patch(f"/flows/{FLOW}", ops, if_match=etag, sandbox="prod")
    api.get("/flows", params={"limit": "5", "property": "state==enabled"}, headers=api.headers(sandbox=None))
    entries = emulator.requests()
    assert [entry["seq"] for entry in entries] == sorted(entry["seq"] for entry in entries)
    get_one, patch_one, listing = entries
    assert set(get_one) == {"seq", "method", "path", "query", "status", "if_match", "sandbox", "api_key", "body", "arrived", "answered", "retry_after"}
    assert patch_one == {"seq": patch_one["seq"], "method": "PATCH", "path": f"/data/foundation/flowservice/flows/{FLOW}", "query": "",
                         "status": 200, "if_match": etag, "sandbox": "prod", "api_key": DEMO_CLIENT_ID, "body": ops,
                         "arrived": patch_one["arrived"], "answered": patch_one["answered"], "retry_after": None}
    assert listing["query"] == "limit=5&property=state%3D%3Denabled"
    assert listing["sandbox"] is None and listing["body"] is None and listing["if_match"] is None
    assert emulator.requests(method="patch") == [patch_one]
    assert emulator.requests(path_contains="/flows/") == [get_one, patch_one]


def test_errors_and_unknown_paths_are_logged(emulator, api):
    api.get("/flows", headers={})
    requests.get(emulator.url + "/elsewhere", timeout=10)
    assert [(entry["path"], entry["status"]) for entry in emulator.requests()] == [
        ("/data/foundation/flowservice/flows", 403), ("/elsewhere", 404)]


def test_control_requests_are_not_logged(emulator):
    emulator.resource("flows", FLOW)
    emulator.faults()
    requests.get(emulator.url + "/_emulator/health", timeout=10)
    assert emulator.requests() == []


def test_clear_requests(emulator, api):
    api.get(f"/flows/{FLOW}")
    response = requests.delete(emulator.url + "/_emulator/requests", timeout=10)
    assert response.status_code == 204 and response.content == b""
    assert emulator.requests() == []


def test_reset_restores_the_data_and_clears_log_and_faults(emulator, api):
    original = emulator.resource("targetConnections", TARGET)
    assert api.patch(f"/targetConnections/{TARGET}", [{"op": "replace", "path": "/params/path", "value": "moved"}]).status_code == 200
    emulator.add_fault(path="/nowhere", kind="drop")
    response = requests.post(emulator.url + "/_emulator/reset", timeout=10)
    assert response.status_code == 204
    assert emulator.resource("targetConnections", TARGET) == original
    assert emulator.requests() == [] and emulator.faults() == []


def test_resource_returns_the_stored_object_unwrapped(emulator, api):
    stored = emulator.resource("connections", BASE)
    shown = api.item(f"/connections/{BASE}")
    assert stored["id"] == BASE and "items" not in stored
    assert stored["auth"]["params"]["s3SecretKey"] == "demoSecretKeyForTheEmulatorOnly/NotReal1"
    assert {key: value for key, value in stored.items() if key != "auth"} == {key: value for key, value in shown.items() if key != "auth"}
    assert emulator.resource("flows", DEV_FLOW, sandbox="dev")["sandboxName"] == "dev"
    assert emulator.resource("connectionSpecs", S3_SPEC)["name"] == "Amazon S3"


@pytest.mark.parametrize("collection, rid, sandbox", [
    ("flows", "nope", "prod"), ("flows", DEV_FLOW, "prod"), ("widgets", FLOW, "prod"), ("flows", FLOW, "qa"),
])
def test_resource_not_found(emulator, collection, rid, sandbox):
    with pytest.raises(ResourceNotFound):
        emulator.resource(collection, rid, sandbox=sandbox)


def test_edit_renews_the_etag_and_uses_patch_semantics(emulator, api):
    before = emulator.resource("targetConnections", TARGET)
    result = emulator.edit("targetConnections", TARGET, [{"op": "replace", "path": "/params", "value": {"bucketName": "ui-bucket"}}])
    assert set(result) == {"id", "etag"} and result["etag"] != before["etag"]
    after = emulator.resource("targetConnections", TARGET)
    assert after["params"] == {"bucketName": "ui-bucket"}
    assert after["etag"] == after["version"] == result["etag"]
    assert after["updatedClient"] == "exc_app"
    flow_error(api.patch(f"/targetConnections/{TARGET}", [{"op": "replace", "path": "/name", "value": "x"}], if_match=before["etag"]),
               "1404", 412)


def test_edit_may_touch_fields_the_api_does_not_patch(emulator, api):
    emulator.edit("flows", FLOW, [{"op": "replace", "path": "/state", "value": "disabled"}])
    assert api.item(f"/flows/{FLOW}")["state"] == "disabled"


@pytest.mark.parametrize("ops", [
    [{"op": "move", "path": "/name", "from": "/description"}],
    [{"op": "replace", "path": "/params/fileType", "value": "XML"}],
    [{"op": "replace", "path": "/id", "value": "other"}],
    [],
])
def test_bad_edits_are_refused_and_change_nothing(emulator, ops):
    before = emulator.resource("targetConnections", TARGET)
    with pytest.raises(EmulatorError) as caught:
        emulator.edit("targetConnections", TARGET, ops)
    assert caught.value.status == 400
    assert emulator.resource("targetConnections", TARGET) == before


def test_edit_of_a_missing_resource(emulator):
    with pytest.raises(ResourceNotFound):
        emulator.edit("flows", "nope", [{"op": "replace", "path": "/name", "value": "x"}])


def test_unknown_control_routes(emulator):
    assert requests.get(emulator.url + "/_emulator/nothing", timeout=10).status_code == 404
    assert requests.put(emulator.url + "/_emulator/reset", timeout=10).status_code == 405
    assert requests.delete(emulator.url + f"/_emulator/resources/flows/{FLOW}", timeout=10).status_code == 405


def test_request_log_times(emulator, api):
    started = time.time()
    api.get(f"/flows/{FLOW}")
    requests.post(emulator.url + "/ims/token/v3", data=TOKEN_FORM, timeout=10)
    emulator.add_fault(path="/targetConnections/", kind="drop")
    with pytest.raises(requests.ConnectionError):
        api.get(f"/targetConnections/{TARGET}")
    emulator.add_fault(path="/flows/", kind="status", status=503, headers={"Retry-After": "3"})
    assert api.get(f"/flows/{FLOW}").headers["Retry-After"] == "3"
    ended = time.time()
    flow, token, dropped, unavailable = emulator.requests()
    for entry in (flow, token, unavailable):
        assert started - 5 <= entry["arrived"] <= entry["answered"] <= ended + 5  # this machine's wall clock, give or take its slew
    assert flow["answered"] <= token["arrived"] and flow["retry_after"] is None and unavailable["retry_after"] == "3"
    assert dropped["status"] is None and dropped["answered"] is None and token["answered"] <= dropped["arrived"] <= unavailable["arrived"]
