"""Issue 11 item 4: dataflow writes applied asynchronously (settle time, in-progress states, 1416/1420/1421)."""
from __future__ import annotations

import time

import pytest
from emu_support import FLOW, GAM_FLOW, TARGET, Api, flow_error

FLOW_PATH = f"/flows/{FLOW}"
RENAME = [{"op": "replace", "path": "/name", "value": "renamed"}]
SETTLE_MS = 1000  # long enough for the checks made meanwhile on a loaded machine


def wait_settled(api, path, timeout=5.0):
    """The flow once its write has finished."""
    deadline = time.monotonic() + timeout
    while True:
        flow = api.item(path)
        if flow["lastOperation"]["status"]["value"] == "completed" or time.monotonic() > deadline:
            return flow
        time.sleep(0.05)


def action(api, path, op, **headers):
    return api.post(f"{path}/action", params={"op": op}, headers=api.headers(**headers))


def test_settle_0_applies_at_once(api):
    assert api.patch(FLOW_PATH, RENAME).status_code == 200
    flow = api.item(FLOW_PATH)
    assert flow["state"] == "enabled" and flow["name"] == "renamed"
    assert flow["lastOperation"]["status"]["value"] == "completed" and flow["lastOperation"]["percentCompleted"] == 100
    assert action(api, FLOW_PATH, "disable").status_code == 200
    assert api.item(FLOW_PATH)["state"] == "disabled"
    assert action(api, FLOW_PATH, "enable").status_code == 200  # no wait needed


def test_patch_is_in_progress_then_settles(emulator, api):
    emulator.settings(settle_ms=SETTLE_MS)
    response = api.patch(FLOW_PATH, RENAME)
    assert response.status_code == 200
    etag = response.json()["etag"]
    flow = api.item(FLOW_PATH)
    assert flow["state"] == "updating" and flow["name"] == "renamed" and flow["etag"] == etag
    assert flow["lastOperation"]["operation"] == "update" and flow["lastOperation"]["ops"] == RENAME
    assert flow["lastOperation"]["status"]["value"] == "inProgress" and flow["lastOperation"]["percentCompleted"] == 0
    assert emulator.resource("flows", FLOW)["state"] == "updating"
    settled = wait_settled(api, FLOW_PATH)
    assert settled["state"] == "enabled" and settled["lastOperation"]["percentCompleted"] == 100
    assert settled["lastOperation"]["status"] == {"value": "completed", "properties": None, "errors": []}
    assert settled["etag"] == etag  # finishing the write does not renew the etag
    assert api.patch(FLOW_PATH, [{"op": "replace", "path": "/description", "value": "next"}], if_match=etag).status_code == 200


def test_a_disabled_flow_settles_back_to_disabled(emulator, api):
    emulator.settings(settle_ms=SETTLE_MS)
    assert api.patch(f"/flows/{GAM_FLOW}", RENAME).status_code == 200
    assert api.item(f"/flows/{GAM_FLOW}")["state"] == "updating"
    assert wait_settled(api, f"/flows/{GAM_FLOW}")["state"] == "disabled"


def test_patch_while_updating_is_1416(emulator, api):
    emulator.settings(settle_ms=SETTLE_MS)
    etag = api.patch(FLOW_PATH, RENAME).json()["etag"]
    body = flow_error(api.patch(FLOW_PATH, [{"op": "replace", "path": "/name", "value": "again"}], if_match=etag), "1416", 400)
    assert body["errorMessage"] == "Delete or Update can only be applied on connection with enabled, disabled or initializing state."
    assert api.item(FLOW_PATH)["name"] == "renamed"
    wait_settled(api, FLOW_PATH)
    assert api.patch(FLOW_PATH, [{"op": "replace", "path": "/name", "value": "again"}], if_match=etag).status_code == 200


@pytest.mark.parametrize("flow_id, op, busy, final, back, back_busy", [
    (FLOW, "disable", "disabling", "disabled", "enable", "enabling"),
    (GAM_FLOW, "enable", "enabling", "enabled", "disable", "disabling"),
])
def test_action_is_in_progress_then_settles(emulator, api, flow_id, op, busy, final, back, back_busy):
    path = f"/flows/{flow_id}"
    emulator.settings(settle_ms=SETTLE_MS)
    response = action(api, path, op)
    assert response.status_code == 200
    flow = api.item(path)
    assert flow["state"] == busy and flow["lastOperation"]["operation"] == op
    assert flow["lastOperation"]["status"]["value"] == "inProgress"
    # a PATCH while enabling/disabling: 1420 with the state in the text
    body = flow_error(api.patch(path, RENAME, if_match=flow["etag"]), "1420", 400)
    assert body["errorMessage"] == f"The current state {busy} cannot be updated."
    # another action meanwhile: 1421
    body = flow_error(action(api, path, back), "1421", 400)
    assert body["errorMessage"] == f"The current state {busy} cannot be transitioned."
    settled = wait_settled(api, path)
    assert settled["state"] == final and settled["etag"] == response.json()["etag"]
    assert action(api, path, back).status_code == 200
    assert api.item(path)["state"] == back_busy


def test_action_while_updating_is_1421(emulator, api):
    emulator.settings(settle_ms=SETTLE_MS)
    assert api.patch(FLOW_PATH, RENAME).status_code == 200
    body = flow_error(action(api, FLOW_PATH, "disable"), "1421", 400)
    assert body["errorMessage"] == "The current state updating cannot be transitioned."
    wait_settled(api, FLOW_PATH)
    assert action(api, FLOW_PATH, "disable").status_code == 200


def test_the_in_progress_state_shows_in_lists_and_filters(emulator, api):
    emulator.settings(settle_ms=SETTLE_MS)
    api.patch(FLOW_PATH, RENAME)
    listed = api.get("/flows", params={"property": "state==updating"}).json()["items"]
    assert [item["id"] for item in listed] == [FLOW]
    wait_settled(api, FLOW_PATH)
    assert api.get("/flows", params={"property": "state==updating"}).json()["items"] == []


def test_only_dataflows_are_asynchronous(emulator, api):
    emulator.settings(settle_ms=SETTLE_MS)
    assert api.patch(f"/targetConnections/{TARGET}", RENAME).status_code == 200
    assert api.item(f"/targetConnections/{TARGET}")["state"] == "enabled"
    assert api.patch(f"/targetConnections/{TARGET}", [{"op": "replace", "path": "/name", "value": "again"}]).status_code == 200


def test_reset_drops_writes_in_progress(emulator, api):
    emulator.settings(settle_ms=SETTLE_MS)
    api.patch(FLOW_PATH, RENAME)
    emulator.reset()
    assert emulator.settings()["settle_ms"] == 0
    flow = api.item(FLOW_PATH)
    assert flow["state"] == "enabled" and flow["name"] == "2021 winter campaign"
    time.sleep(SETTLE_MS / 1000 + 0.05)
    assert api.item(FLOW_PATH)["etag"] == flow["etag"]


def test_settle_time_from_the_command_line(own_emulator):
    api = Api(own_emulator("--settle-ms", str(SETTLE_MS)))
    assert action(api, FLOW_PATH, "disable").status_code == 200
    assert api.item(FLOW_PATH)["state"] == "disabling"
    assert wait_settled(api, FLOW_PATH)["state"] == "disabled"
    api.close()


def test_an_out_of_band_state_in_progress_blocks_writes(emulator, api):
    """A test may also put a flow in an in-progress state by hand (no settle time: it stays there)."""
    emulator.edit("flows", FLOW, [{"op": "replace", "path": "/state", "value": "enabling"}])
    flow_error(api.patch(FLOW_PATH, RENAME), "1420", 400)
    flow_error(action(api, FLOW_PATH, "disable"), "1421", 400)
