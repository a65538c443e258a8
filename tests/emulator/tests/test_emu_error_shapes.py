"""Issue 11 item 3: Adobe's short error bodies for 404 and 412, the three sandbox-not-found codes, the settings control API."""
from __future__ import annotations

import pytest
import requests
from emu_support import BASE, FLOW, TARGET, Api, flow_error

from harness import EmulatorError

MISSING = "00000000-dead-4000-8000-000000000000"
THROTTLE_OFF = {"throttle_rps": 0.0, "throttle_burst": None, "throttle_retry_after": "auto"}  # test_emu_throttle.py


def test_settings_start_at_the_command_line_values_and_reset_restores_them(emulator, own_emulator):
    assert emulator.settings() == {"error_shape": "full", "sandbox_error": "2100", "settle_ms": 0, **THROTTLE_OFF}
    assert emulator.settings(error_shape="short", sandbox_error=2103) == {"error_shape": "short", "sandbox_error": "2103", "settle_ms": 0, **THROTTLE_OFF}
    emulator.reset()
    assert emulator.settings()["error_shape"] == "full"
    other = own_emulator("--error-shape", "short", "--sandbox-error", "2101", "--settle-ms", "250")
    assert other.settings() == {"error_shape": "short", "sandbox_error": "2101", "settle_ms": 250, **THROTTLE_OFF}
    other.settings(error_shape="full", settle_ms=0)
    other.reset()
    assert other.settings() == {"error_shape": "short", "sandbox_error": "2101", "settle_ms": 250, **THROTTLE_OFF}


@pytest.mark.parametrize("changes, words", [
    ({"error_shape": "tiny"}, "error_shape"), ({"sandbox_error": "2102"}, "sandbox_error"), ({"settle_ms": -1}, "settle_ms"),
    ({"settle_ms": True}, "settle_ms"), ({"latency_ms": 5}, "unknown setting"),
])
def test_bad_settings_are_refused_and_change_nothing(emulator, changes, words):
    with pytest.raises(EmulatorError) as caught:
        emulator.settings(**{"sandbox_error": "2101", **changes})
    assert caught.value.status == 400 and words in str(caught.value)
    assert emulator.settings() == {"error_shape": "full", "sandbox_error": "2100", "settle_ms": 0, **THROTTLE_OFF}  # all or nothing


def test_settings_route_methods(emulator):
    response = requests.post(emulator.url + "/_emulator/settings", json={}, timeout=10)
    assert response.status_code == 405
    response = requests.patch(emulator.url + "/_emulator/settings", data=b"[1]", headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400 and "JSON object" in response.json()["error"]


@pytest.mark.parametrize("collection", ["flows", "targetConnections", "connections"])
def test_short_404(emulator, api, collection):
    flow_error(api.get(f"/{collection}/{MISSING}"), "1439", 404)  # the full envelope by default
    emulator.settings(error_shape="short")
    response = api.get(f"/{collection}/{MISSING}")
    assert response.status_code == 404
    # destinations OpenAPI file, 404 example: only errorMessage and errorDetails
    text = f"{collection} not found with id = [{MISSING}]"
    assert response.json() == {"errorMessage": text, "errorDetails": text}
    patched = api.patch(f"/{collection}/{MISSING}", [{"op": "replace", "path": "/name", "value": "x"}], if_match='"x"')
    assert patched.status_code == 404 and patched.json() == {"errorMessage": text, "errorDetails": text}


def test_short_412(emulator, api):
    emulator.settings(error_shape="short")
    current = api.etag(f"/targetConnections/{TARGET}")
    response = api.patch(f"/targetConnections/{TARGET}", [{"op": "replace", "path": "/name", "value": "x"}], if_match='"stale"')
    assert response.status_code == 412
    text = f'Supplied version=["stale"] does not match the current version on entity=[{current}]'
    assert response.json() == {"errorMessage": text, "errorDetails": text}
    # the action route's If-Match check too
    response = api.post(f"/flows/{FLOW}/action", params={"op": "disable"}, headers=api.headers(**{"If-Match": '"stale"'}))
    assert response.status_code == 412 and set(response.json()) == {"errorMessage", "errorDetails"}


def test_short_shape_leaves_other_errors_whole(emulator, api):
    """Adobe shows the short shape only for 404 (resource) and 412; route 404s and 400s keep the envelope."""
    emulator.settings(error_shape="short")
    flow_error(api.get("/nosuchcollection"), "1101", 404)
    flow_error(api.patch(f"/connections/{BASE}", [{"op": "move", "path": "/name", "value": "x"}]), "1434", 400)
    flow_error(api.get(f"/flows/{FLOW}", sandbox="nosuchsandbox"), "2100", 404)


@pytest.mark.parametrize("code, words", [
    ("2100", "The sandbox with the name 'nosuch' could not be found. Please ensure that the sandbox name is correct"),
    ("2101", "Error from Sandbox Management API: Sandbox with name 'nosuch' not present. Please check if resource exists."),
    ("2103", "The sandbox with ID null and name nosuch could not be found. Please ensure that the ID and sandbox name values"),
])
def test_sandbox_not_found_codes(emulator, api, code, words):
    emulator.settings(sandbox_error=code)
    body = flow_error(api.get(f"/flows/{FLOW}", sandbox="nosuch"), code, 404)
    assert body["title"] == "Sandbox not found"
    assert words in body["errorMessage"]
    flow_error(api.get("/flows", sandbox="nosuch"), code, 404)
    flow_error(api.patch(f"/flows/{FLOW}", [{"op": "replace", "path": "/name", "value": "x"}], if_match='"x"', sandbox="nosuch"), code, 404)


def test_2103_names_the_sandbox_id_sent(emulator, api):
    emulator.settings(sandbox_error="2103")
    body = flow_error(api.get(f"/flows/{FLOW}", headers=api.headers("nosuch", **{"x-sandbox-id": "8da3ef09-b469-404a"})), "2103", 404)
    assert "with ID 8da3ef09-b469-404a and name nosuch" in body["errorMessage"]


def test_sandbox_error_from_the_command_line(own_emulator):
    api = Api(own_emulator("--sandbox-error", "2101"))
    flow_error(api.get(f"/flows/{FLOW}", sandbox="nosuch"), "2101", 404)
    api.close()


def test_short_shape_from_the_command_line(own_emulator):
    api = Api(own_emulator("--error-shape", "short"))
    assert set(api.get(f"/flows/{MISSING}").json()) == {"errorMessage", "errorDetails"}
    api.close()
