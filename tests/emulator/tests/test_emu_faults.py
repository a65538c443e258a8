"""Issue point 9: injected faults (status, dropped connection, delay) and fixed latency."""
from __future__ import annotations

import time

import pytest
import requests
from emu_support import FLOW, TOKEN_FORM, Api, flow_error

from harness import EmulatorError

FLOW_PATH = f"/flows/{FLOW}"


def test_429_with_retry_after_then_normal_service(emulator, api):
    fault = emulator.add_fault(method="GET", path="/flows/", kind="status", status=429, headers={"Retry-After": "1"}, count=1)
    assert fault["id"]
    limited = api.get(FLOW_PATH)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "1"
    body = flow_error(limited, "0000", 429)
    assert body["title"] == "Too Many Requests"
    assert api.get(FLOW_PATH).status_code == 200
    assert [entry["status"] for entry in emulator.requests(path_contains=FLOW)] == [429, 200]
    assert emulator.faults() == []


@pytest.mark.parametrize("status, code", [(500, "1102"), (502, "0000"), (503, "1103"), (504, "1104")])
def test_server_error_statuses(emulator, api, status, code):
    emulator.add_fault(method="*", path="/flows", kind="status", status=status)
    flow_error(api.get(FLOW_PATH), code, status)
    assert api.get(FLOW_PATH).status_code == 200


def test_status_fault_does_not_process_the_request(emulator, api):
    etag = api.etag(FLOW_PATH)
    emulator.add_fault(method="PATCH", path=FLOW, kind="status", status=503)
    response = api.patch(FLOW_PATH, [{"op": "replace", "path": "/name", "value": "never"}], if_match=etag)
    assert response.status_code == 503
    assert emulator.resource("flows", FLOW)["etag"] == etag


def test_fault_with_its_own_body(emulator, api):
    emulator.add_fault(path="/flows", kind="status", status=500, body={"custom": True}, headers={"X-Extra": "yes"})
    response = api.get(FLOW_PATH)
    assert response.status_code == 500
    assert response.json() == {"custom": True}
    assert response.headers["X-Extra"] == "yes"
    assert response.headers["x-request-id"]


def test_count_method_and_path_matching(emulator, api):
    emulator.add_fault(method="PATCH", path=r"/targetConnections/\w", kind="status", status=500, count=2)
    assert api.get(FLOW_PATH).status_code == 200
    assert api.get("/targetConnections").status_code == 200
    assert emulator.faults()[0]["count"] == 2
    ops = [{"op": "replace", "path": "/name", "value": "x"}]
    target = "/targetConnections/8ce3dc63-3766-4220-9f61-51d2f8f14618"
    assert api.patch(target, ops, if_match='"x"').status_code == 500
    assert emulator.faults()[0]["count"] == 1
    assert api.patch(target, ops, if_match='"x"').status_code == 500
    assert api.patch(target, ops, if_match='"x"').status_code == 412
    assert emulator.faults() == []


def test_faults_fire_in_the_order_added(emulator, api):
    emulator.add_fault(path="/flows", kind="status", status=503)
    emulator.add_fault(path="/flows", kind="status", status=504)
    assert [api.get(FLOW_PATH).status_code for _attempt in range(3)] == [503, 504, 200]


def test_drop_closes_the_connection_without_a_response(emulator, api):
    emulator.add_fault(method="GET", path=FLOW, kind="drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.get(FLOW_PATH)
    assert api.get(FLOW_PATH).status_code == 200
    statuses = [entry["status"] for entry in emulator.requests(path_contains=FLOW)]
    assert statuses == [None, 200]


def test_delay_past_the_client_timeout(emulator, api):
    emulator.add_fault(method="GET", path=FLOW, kind="delay", delay_ms=800)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.get(FLOW_PATH, timeout=0.2)
    assert time.monotonic() - started < 0.7
    assert api.get(FLOW_PATH).status_code == 200


def test_delay_then_normal_processing(emulator, api):
    emulator.add_fault(method="GET", path=FLOW, kind="delay", delay_ms=300)
    started = time.monotonic()
    assert api.get(FLOW_PATH).status_code == 200
    assert time.monotonic() - started >= 0.3
    assert emulator.requests(path_contains=FLOW)[-1]["status"] == 200


def test_faults_on_the_token_endpoint(emulator):
    emulator.add_fault(method="POST", path="^/ims/token", kind="status", status=503, headers={"Retry-After": "2"})
    response = requests.post(emulator.url + "/ims/token/v3", data=TOKEN_FORM, timeout=10)
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert requests.post(emulator.url + "/ims/token/v3", data=TOKEN_FORM, timeout=10).status_code == 200


def test_faults_do_not_touch_the_control_api(emulator):
    emulator.add_fault(path="", kind="status", status=500, count=5)
    assert emulator.resource("flows", FLOW)["id"] == FLOW
    assert emulator.faults()[0]["count"] == 5


def test_list_and_clear_faults(emulator):
    first = emulator.add_fault(method="patch", path="/connections", kind="status", status=429, headers={"Retry-After": 3})
    second = emulator.add_fault(path="/flows", kind="delay", delay_ms=10, count=3)
    listed = emulator.faults()
    assert [fault["id"] for fault in listed] == [first["id"], second["id"]]
    assert listed[0] == {"id": first["id"], "method": "PATCH", "path": "/connections", "kind": "status", "count": 1, "status": 429,
                         "headers": {"Retry-After": "3"}}
    assert listed[1]["delay_ms"] == 10 and listed[1]["count"] == 3
    emulator.clear_faults()
    assert emulator.faults() == []


@pytest.mark.parametrize("spec", [
    {"kind": "explode"}, {"kind": "status"}, {"kind": "status", "status": 700}, {"kind": "delay"},
    {"kind": "drop", "count": 0}, {"kind": "drop", "path": "("}, {"kind": "drop", "colour": "red"},
    {"kind": "status", "status": 500, "headers": ["Retry-After"]},
])
def test_bad_fault_specs_are_refused(emulator, spec):
    with pytest.raises(EmulatorError) as caught:
        emulator.add_fault(**spec)
    assert caught.value.status == 400
    assert emulator.faults() == []


def test_fixed_latency(own_emulator):
    emulator = own_emulator("--latency-ms", "150")
    api = Api(emulator)
    api.get(FLOW_PATH)
    started = time.monotonic()
    for _attempt in range(3):
        assert api.get(FLOW_PATH).status_code == 200
    assert time.monotonic() - started >= 0.45
    started = time.monotonic()
    emulator.resource("flows", FLOW)
    assert time.monotonic() - started < 0.15
