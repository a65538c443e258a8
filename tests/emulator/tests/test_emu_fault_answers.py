"""The fault kinds that attack a client: an answer that redirects, and one that quotes the request (issue 12)."""
from __future__ import annotations

import pytest
import requests
from emu_support import FLOW

from harness import DEMO_CLIENT_SECRET, DEMO_TOKEN, EmulatorError

FLOW_PATH = f"/flows/{FLOW}"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_names_the_location_and_processes_nothing(emulator, api, status):
    emulator.add_fault(method="PATCH", path=FLOW, kind="redirect", status=status, location="http://127.0.0.1:9/x?q=1")
    etag = api.etag(FLOW_PATH)
    response = requests.patch(emulator.api_url + FLOW_PATH, json=[{"op": "replace", "path": "/name", "value": "n"}],
                              headers=api.headers(**{"If-Match": etag, "Content-Type": "application/json"}), allow_redirects=False, timeout=10)
    assert response.status_code == status
    assert response.headers["Location"] == "http://127.0.0.1:9/x?q=1"
    assert emulator.resource("flows", FLOW)["etag"] == etag
    assert emulator.requests(method="PATCH")[-1]["status"] == status


def test_echo_quotes_headers_form_and_body(emulator):
    form = {"grant_type": "client_credentials", "client_id": "c", "client_secret": "a/b+c d"}
    emulator.add_fault(method="POST", path="/ims/", kind="echo", quote="body")
    emulator.add_fault(method="POST", path="/ims/", kind="echo", quote="form", format="text", pad=600)
    emulator.add_fault(method="GET", path="/flows", kind="echo", status=401)
    raw = requests.post(emulator.url + "/ims/token/v3", data=form, timeout=10)
    assert raw.status_code == 400 and "client_secret=a%2Fb%2Bc+d" in raw.json()["message"]
    decoded = requests.post(emulator.url + "/ims/token/v3", data=form, timeout=10)
    assert decoded.headers["Content-Type"].startswith("text/plain")
    assert decoded.text.startswith("x" * 600) and "client_secret=a/b+c d" in decoded.text
    headers = requests.get(emulator.api_url + "/flows", headers={"Authorization": "Bearer " + DEMO_TOKEN}, timeout=10)
    assert headers.status_code == 401 and "authorization: Bearer " + DEMO_TOKEN in headers.json()["message"]
    assert DEMO_CLIENT_SECRET not in str(emulator.requests())


@pytest.mark.parametrize("spec", [{"kind": "redirect", "status": 200, "location": "http://x"},
                                  {"kind": "redirect"},
                                  {"kind": "echo", "quote": "cookies"},
                                  {"kind": "echo", "format": "xml"},
                                  {"kind": "echo", "pad": -1}])
def test_bad_specs_are_refused(emulator, spec):
    with pytest.raises(EmulatorError):
        emulator.add_fault(**spec)
