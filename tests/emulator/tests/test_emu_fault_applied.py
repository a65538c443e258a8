"""The ``applied`` fault: the request is processed (a write lands), but the client gets another answer.

What a gateway does when it gives up waiting for the service behind it (502/503/504 after the write was
applied), or a proxy that replaces a success with its own page: issue 12 item 7 needs both.
"""
from __future__ import annotations

import pytest
from emu_support import FLOW, Api, flow_error

from harness import EmulatorError

FLOW_PATH = f"/flows/{FLOW}"
RENAME = [{"op": "replace", "path": "/name", "value": "landed behind a 504"}]


def test_a_write_lands_behind_a_504(emulator, api: Api):
    etag = api.etag(FLOW_PATH)
    emulator.add_fault(method="PATCH", path=FLOW, kind="applied", status=504)
    response = api.patch(FLOW_PATH, RENAME, if_match=etag)
    flow_error(response, "1104", 504)
    stored = emulator.resource("flows", FLOW)
    assert stored["name"] == "landed behind a 504" and stored["etag"] != etag
    assert [e["status"] for e in emulator.requests(method="PATCH")] == [504]
    assert emulator.faults() == []


def test_a_write_lands_behind_a_success_in_html(emulator, api: Api):
    etag = api.etag(FLOW_PATH)
    emulator.add_fault(method="PATCH", path=FLOW, kind="applied", status=200, format="html",
                       body="<html><body>Saved</body></html>")
    response = api.patch(FLOW_PATH, RENAME, if_match=etag)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text == "<html><body>Saved</body></html>"
    assert emulator.resource("flows", FLOW)["name"] == "landed behind a 504"


def test_a_request_that_fails_on_its_own_still_gets_the_faults_answer(emulator, api: Api):
    before = emulator.resource("flows", FLOW)
    emulator.add_fault(method="PATCH", path=FLOW, kind="applied", status=502, body={"gateway": "gave up"})
    response = api.patch(FLOW_PATH, RENAME, if_match='"stale"')
    assert response.status_code == 502 and response.json() == {"gateway": "gave up"}
    assert emulator.resource("flows", FLOW) == before


@pytest.mark.parametrize("spec", [
    {"kind": "applied"}, {"kind": "applied", "status": 504, "format": "text"},
    {"kind": "applied", "status": 200, "format": "html", "body": {"not": "a string"}},
])
def test_bad_applied_specs_are_refused(emulator, spec):
    with pytest.raises(EmulatorError) as caught:
        emulator.add_fault(**spec)
    assert caught.value.status == 400
