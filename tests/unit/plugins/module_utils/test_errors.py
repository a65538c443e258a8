"""What error answers mean (issue 11 items 3, 11, 12; issue 12 item 9), through the client over real HTTP.

Adobe's short error bodies (only errorMessage/errorDetails), the three sandbox-not-found codes, answers that
do not come from the Flow Service at all (a wrong platform_url), in-progress answers, and tokens that cannot
be sent as a header. The emulator's status faults produce each answer with the exact body given here.
"""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.aep.flow_service.plugins.module_utils._client import ApiError, FlowServiceClient
from ansible_collections.aep.flow_service.plugins.module_utils._errors import BUSY, SANDBOX, WRONG_URL
from test_client import options  # the same connection options as the client's own tests

FLOW = "226fb2e1-db69-4760-b67e-9e671e05abfc"
TARGET = "8ce3dc63-3766-4220-9f61-51d2f8f14618"
MISSING = "00000000-0000-4000-8000-00000000dead"
REQUEST_ID = "req-0123456789"


@pytest.fixture
def client_for(emulator):
    made = []

    def make(**overrides):
        client = FlowServiceClient(options(emulator, **dict({"retries": 2}, **overrides)), sleep=lambda seconds: None)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def flow_envelope(code, status, message):
    return {"type": "https://ns.adobe.com/aep/errors/FLOW-%s-%s" % (code, status), "title": "t", "status": status,
            "report": {"detailed-message": message, "request-id": REQUEST_ID}, "errorMessage": message,
            "errorDetails": message}


def api_gets(emulator, path_contains):
    return list(emulator.requests(method="GET", path_contains=path_contains))


# --------------------------------------------------------------------------------------------- missing or wrong URL

def test_short_404_body_is_a_missing_resource(emulator, client_for):
    """Adobe's own 404 example carries only errorMessage/errorDetails: the resource is missing, the URL is right."""
    text = "connections not found with id = [%s]" % MISSING
    emulator.add_fault(method="GET", path=MISSING, kind="status", status=404,
                       body={"errorMessage": text, "errorDetails": text})
    assert client_for().get_item("connections", MISSING) is None
    assert len(api_gets(emulator, "/connections")) == 1  # nothing more to ask


def test_envelope_404_is_a_missing_resource_without_a_second_request(emulator, client_for):
    assert client_for().get_item("flows", MISSING) is None
    assert len(api_gets(emulator, "/flows")) == 1


@pytest.mark.parametrize("body", [
    None,  # the emulator's FLOW envelope is replaced below by each foreign answer
    {"error_code": "404050", "message": "Resource not found"},
    "<html><body><h1>404 Not Found</h1></body></html>",
    {"detail": "Not Found"},
], ids=["empty", "gateway-error-code", "html-as-json-string", "other-json"])
def test_404_without_a_flow_service_body_means_a_wrong_url(emulator, client_for, body):
    fault = {"method": "GET", "path": FLOW, "kind": "status", "status": 404}
    fault["body"] = body
    emulator.add_fault(**fault)
    with pytest.raises(ApiError) as info:
        client_for().get_item("flows", FLOW)
    error = info.value
    assert error.kind == WRONG_URL
    assert "platform_url %s does not lead to the Flow Service API" % emulator.url in error.message
    assert emulator.url + "/data/foundation/flowservice/flows/" + FLOW in str(error)  # the URL used
    assert "Check platform_url" in error.hint


def test_ambiguous_1101_on_a_resource_is_missing_when_its_list_answers(emulator, client_for):
    """1101-404 is documented as 'resource with given id does not exist': one read of the list settles it."""
    emulator.add_fault(method="GET", path=MISSING, kind="status", status=404,
                       body=flow_envelope("1101", 404, "The requested resource is not found."))
    assert client_for().get_item("targetConnections", MISSING) is None
    listed = [r for r in api_gets(emulator, "/targetConnections") if r["path"].endswith("/targetConnections")]
    assert [r["query"] for r in listed] == ["limit=1"]


def test_wrong_platform_url_fails_on_a_resource_naming_the_url(emulator, client_for):
    """Our emulator answers FLOW-1101-404 for a path it has no route for, as a router could: not "not found"."""
    wrong = emulator.url + "/platform"
    with pytest.raises(ApiError) as info:
        client_for(platform_url=wrong).get_item("flows", FLOW)
    assert info.value.kind == WRONG_URL
    assert "platform_url %s does not lead to the Flow Service API" % wrong in info.value.message
    assert wrong + "/data/foundation/flowservice/flows/" + FLOW in str(info.value)
    assert len(emulator.requests(path_contains="/platform/data")) == 2  # the resource, then its list


def test_wrong_platform_url_fails_on_a_list(emulator, client_for):
    wrong = emulator.url + "/platform"
    with pytest.raises(ApiError) as info:
        client_for(platform_url=wrong).list_items("flows")
    assert info.value.kind == WRONG_URL and "a collection is never missing" in info.value.message


# --------------------------------------------------------------------------------------------- sandboxes

@pytest.mark.parametrize("code", ["2100", "2101", "2103"])
@pytest.mark.parametrize("call", ["item", "list", "patch"])
def test_every_sandbox_not_found_code_is_a_clear_error(emulator, client_for, code, call):
    message = "The sandbox with the name 'qa' could not be found."
    emulator.add_fault(method="*", path="/flowservice/", kind="status", status=404,
                       body=flow_envelope(code, 404, message))
    client = client_for(sandbox="qa")
    with pytest.raises(ApiError) as info:
        if call == "item":
            client.get_item("flows", FLOW)
        elif call == "list":
            client.list_items("flows")
        else:
            client.patch("flows", FLOW, [{"op": "replace", "path": "/name", "value": "x"}], '"e"')
    error = info.value
    assert error.kind == SANDBOX
    assert error.code == "FLOW-%s-404" % code and error.status == 404 and error.request_id == REQUEST_ID
    assert error.message.startswith("sandbox 'qa' was not found: " + message)
    assert "Check the sandbox option" in error.hint


@pytest.mark.parametrize("text", [
    "The sandbox with the name 'qa' could not be found. Please ensure that the sandbox name is correct and try again.",
    "The sandbox with ID 8da3ef09-b469-404a and name qa could not be found. Please ensure that the ID and sandbox "
    "name values are correct and try again.",
])
@pytest.mark.parametrize("call", ["item", "list"])
def test_a_sandbox_text_without_a_code_is_a_sandbox_error(emulator, client_for, text, call):
    """Neither "not found" (an item) nor "wrong URL" (a list): the short shape of a sandbox error says what it is."""
    emulator.add_fault(method="GET", path="/flowservice/", kind="status", status=404,
                       body={"errorMessage": text, "errorDetails": text})
    client = client_for(sandbox="qa")
    with pytest.raises(ApiError) as info:
        client.get_item("flows", FLOW) if call == "item" else client.list_items("flows")
    assert info.value.kind == SANDBOX and "sandbox 'qa' was not found" in info.value.message


def test_the_emulators_unknown_sandbox_is_a_clear_error(client_for):
    with pytest.raises(ApiError) as info:
        client_for(sandbox="no-such-sandbox").get_item("flows", FLOW)
    assert info.value.kind == SANDBOX and "'no-such-sandbox'" in info.value.message


# --------------------------------------------------------------------------------------------- short 412, in progress

def test_short_412_body_keeps_status_message_and_request_id(emulator, client_for):
    text = 'Supplied version=["1"] does not match the current version on entity=["2"]'
    emulator.add_fault(method="PATCH", path=TARGET, kind="status", status=412,
                       body={"errorMessage": text, "errorDetails": text})
    with pytest.raises(ApiError) as info:
        client_for().patch("targetConnections", TARGET, [{"op": "replace", "path": "/name", "value": "x"}], '"1"')
    assert info.value.status == 412 and info.value.message == text
    assert info.value.request_id  # from the x-request-id header, as the short body has no report
    assert info.value.kind is None


@pytest.mark.parametrize("body", [
    flow_envelope("1416", 400, "Delete or Update can only be applied on connection with enabled, disabled or "
                               "initializing state."),
    flow_envelope("1420", 400, "The current state disabling cannot be updated."),
    flow_envelope("1421", 400, "The current state updating cannot be transitioned."),
    {"errorMessage": "The current state updating cannot be transitioned."},
    {"errorMessage": "The current state enabling cannot be updated.", "errorDetails": "x"},
], ids=["1416", "1420", "1421", "short-1421", "short-1420-enabling"])
def test_in_progress_answers_are_recognised(emulator, client_for, body):
    emulator.add_fault(method="PATCH", path=TARGET, kind="status", status=400, body=body)
    with pytest.raises(ApiError) as info:
        client_for().patch("targetConnections", TARGET, [{"op": "replace", "path": "/name", "value": "x"}], '"1"')
    assert info.value.kind == BUSY


def test_delete_finalizing_is_not_waited_for(emulator, client_for):
    emulator.add_fault(method="PATCH", path=TARGET, kind="status", status=400,
                       body=flow_envelope("1457", 400, "Operation update cannot be applied in state delete-finalizing."))
    with pytest.raises(ApiError) as info:
        client_for().patch("targetConnections", TARGET, [{"op": "replace", "path": "/name", "value": "x"}], '"1"')
    assert info.value.kind is None


# --------------------------------------------------------------------------------------------- writes, unconfirmed

@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_answer_to_a_write_counts_as_unconfirmed(emulator, client_for, status):
    emulator.add_fault(method="PATCH", path=TARGET, kind="status", status=status, count=3)
    client = client_for()
    with pytest.raises(ApiError):
        client.patch("targetConnections", TARGET, [{"op": "replace", "path": "/name", "value": "x"}], '"1"')
    assert client.unconfirmed_writes == 3


def test_429_and_reads_are_never_unconfirmed(emulator, client_for):
    emulator.add_fault(method="*", path="/flowservice/", kind="status", status=429, count=2)
    client = client_for()
    client.get_item("flows", FLOW)
    etag = client.get_item("targetConnections", TARGET)["etag"]
    client.patch("targetConnections", TARGET, [{"op": "replace", "path": "/name", "value": "x"}], etag)
    assert client.unconfirmed_writes == 0


def test_a_2xx_write_answer_that_is_not_a_json_object_is_unconfirmed(emulator, client_for):
    emulator.add_fault(method="PATCH", path=TARGET, kind="status", status=200, body="<html>OK</html>")
    client = client_for()
    with pytest.raises(ApiError) as info:
        client.patch("targetConnections", TARGET, [{"op": "replace", "path": "/name", "value": "x"}], '"1"')
    assert "may have been applied" in info.value.message
    assert client.unconfirmed_writes == 1


def test_a_2xx_write_answer_in_html_is_unconfirmed(client_for, monkeypatch):
    client = client_for(client_secret=None, access_token="aep-demo-token")
    html = requests.Response()
    html.status_code, html._content = 200, b"<html><body>Saved</body></html>"  # pylint: disable=protected-access
    html.headers["Content-Type"] = "text/html"
    monkeypatch.setattr(client.session, "request", lambda *args, **kwargs: html)
    with pytest.raises(ApiError) as info:
        client.request("PATCH", "/targetConnections/" + TARGET, body=[])
    assert info.value.status == 200 and "not JSON (text/html)" in info.value.message
    assert "may have been applied" in info.value.message and client.unconfirmed_writes == 1


# --------------------------------------------------------------------------------------------- tokens and exceptions

BAD_TOKENS = ["aep-token\r\nX-Injected: 1", "aep token with spaces", "aep-t\u00f6ken"]


@pytest.mark.parametrize("token", BAD_TOKENS, ids=["crlf", "space", "non-ascii"])
def test_a_minted_token_that_is_not_a_header_value_fails_cleanly(emulator, client_for, token):
    emulator.add_fault(method="POST", path="/ims/token", kind="status", status=200,
                       body={"access_token": token, "token_type": "bearer", "expires_in": 86399})
    with pytest.raises(ApiError) as info:
        client_for().get_item("flows", FLOW)
    text = str(info.value) + json.dumps(info.value.to_dict())
    assert "cannot be sent as an HTTP header" in text
    assert "aep-t" not in text and "X-Injected" not in text
    assert api_gets(emulator, "/flows") == []  # never sent


@pytest.mark.parametrize("token", BAD_TOKENS, ids=["crlf", "space", "non-ascii"])
def test_a_cached_token_that_is_not_a_header_value_is_replaced(emulator, client_for, tmp_path, monkeypatch, token):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    client = client_for(token_cache=True)
    assert client.get_item("flows", FLOW)
    (cached,) = (tmp_path / "aep.flow_service").glob("token-*.json")
    data = json.loads(cached.read_text())
    cached.write_text(json.dumps(dict(data, access_token=token)))
    emulator.clear_requests()
    again = client_for(token_cache=True)
    assert again.get_item("flows", FLOW)["id"] == FLOW
    assert len(emulator.requests(path_contains="/ims/token")) == 1  # re-minted once
    assert json.loads(cached.read_text())["access_token"] != token


def test_an_etag_that_is_not_a_header_value_fails_cleanly(emulator, client_for):
    """requests refuses the header quoting its value, and would crash the module with a traceback."""
    with pytest.raises(ApiError) as info:
        client_for().patch("targetConnections", TARGET, [{"op": "replace", "path": "/name", "value": "x"}],
                           '"etag"\r\nX-Injected: 1')
    assert "InvalidHeader" in str(info.value) and "X-Injected" not in str(info.value)


def test_any_requests_exception_becomes_an_api_error(client_for, monkeypatch):
    client = client_for(client_secret=None, access_token="aep-demo-token")

    def broken(*args, **kwargs):
        raise requests.exceptions.InvalidURL("Invalid URL 'http://secret-in-url': no host")

    monkeypatch.setattr(client.session, "request", broken)
    with pytest.raises(ApiError) as info:
        client.get_item("flows", FLOW)
    assert "InvalidURL" in str(info.value) and "secret-in-url" not in str(info.value)
