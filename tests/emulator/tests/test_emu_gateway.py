"""Issue points 3 and 8: header checks in the gateway's order, sandboxes, the error envelope, x-request-id."""
from __future__ import annotations

import pytest
import requests
from emu_support import BASE, DEV_BASE, DEV_FLOW, DEV_TARGET, FLOW, TARGET, Api, flow_error

from harness import DEMO_CLIENT_ID, DEMO_ORG, DEMO_TOKEN

PATCH_BODY = [{"op": "replace", "path": "/name", "value": "renamed"}]


def raw_patch(api: Api, headers: dict, data: bytes = b'[{"op":"replace","path":"/name","value":"x"}]') -> requests.Response:
    """A PATCH with exactly the given headers (no Content-Type added)."""
    return api.session.patch(f"{api.emulator.api_url}/flows/{FLOW}", headers=headers, data=data, timeout=10)


GATEWAY_CASES = [
    # (headers sent, expected status, expected body): each case also breaks every later check.
    ({}, 403, {"error_code": "403010", "message": "Oauth token is missing."}),
    ({"Authorization": ""}, 403, {"error_code": "403010", "message": "Oauth token is missing."}),
    ({"Authorization": "Bearer not-a-token"}, 401, {"error_code": "401013", "message": "Oauth token is not valid"}),
    ({"Authorization": DEMO_TOKEN}, 401, {"error_code": "401013", "message": "Oauth token is not valid"}),
    ({"Authorization": "Bearer "}, 401, {"error_code": "401013", "message": "Oauth token is not valid"}),
    ({"Authorization": f"Bearer {DEMO_TOKEN}"}, 403, {"error_code": "403000", "message": "Api Key is required"}),
    ({"Authorization": f"Bearer {DEMO_TOKEN}", "x-api-key": "wrong"}, 403, {"error_code": "403003", "message": "Api Key is invalid"}),
    ({"Authorization": f"Bearer {DEMO_TOKEN}", "x-api-key": DEMO_CLIENT_ID}, 400, {"error_code": "400003", "message": "Missing header"}),
    ({"Authorization": f"Bearer {DEMO_TOKEN}", "x-api-key": DEMO_CLIENT_ID, "x-gw-ims-org-id": "other@AdobeOrg"}, 403,
     {"error_code": "403025", "message": "Profile is not valid"}),
    ({"Authorization": f"Bearer {DEMO_TOKEN}", "x-api-key": DEMO_CLIENT_ID, "x-gw-ims-org-id": DEMO_ORG}, 400,
     {"type": "/placeholder/type/uri", "status": 400, "title": "BadRequestError", "detail": "A valid content-type must be specified"}),
]


@pytest.mark.parametrize("headers, status, body", GATEWAY_CASES)
def test_gateway_checks_in_order(api, headers, status, body):
    response = raw_patch(api, {**headers, "x-sandbox-name": "nosuchsandbox"})
    assert response.status_code == status
    assert response.json() == body
    assert response.headers["x-request-id"]


def test_gateway_errors_on_get_too(api):
    response = api.session.get(f"{api.emulator.api_url}/flows/{FLOW}", timeout=10)
    assert response.status_code == 403
    assert response.json()["error_code"] == "403010"


def test_bearer_scheme_is_case_insensitive(api):
    headers = api.headers()
    headers["Authorization"] = f"bearer {DEMO_TOKEN}"
    assert api.get(f"/flows/{FLOW}", headers=headers).status_code == 200


@pytest.mark.parametrize("content_type, accepted", [
    ("application/json", True), ("application/json; charset=utf-8", True), ("Application/JSON", True),
    ("text/plain", False), ("application/x-www-form-urlencoded", False), ("application/json-patch+json", False),
])
def test_patch_needs_json_content_type(api, content_type, accepted):
    headers = api.headers(**{"Content-Type": content_type, "If-Match": api.etag(f"/flows/{FLOW}")})
    response = raw_patch(api, headers)
    assert response.status_code == (200 if accepted else 400), response.text
    if not accepted:
        assert response.json()["title"] == "BadRequestError"


def test_body_less_post_needs_no_content_type(api):
    response = api.post(f"/flows/{FLOW}/action", params={"op": "disable"})
    assert response.status_code == 200, response.text


def test_post_with_a_body_needs_a_content_type(api):
    response = api.post(f"/flows/{FLOW}/action", params={"op": "disable"}, data=b"{}")
    assert response.status_code == 400
    assert response.json()["title"] == "BadRequestError"


def test_missing_sandbox_header_means_prod(emulator, api):
    response = api.get(f"/flows/{FLOW}", sandbox=None)
    assert response.status_code == 200
    assert response.json()["items"][0]["sandboxName"] == "prod"
    assert emulator.requests(path_contains=FLOW)[-1]["sandbox"] is None
    assert api.get(f"/flows/{DEV_FLOW}", sandbox=None).status_code == 404


def test_strict_sandbox_requires_the_header(own_emulator):
    api = Api(own_emulator("--strict-sandbox"))
    body = flow_error(api.get(f"/flows/{FLOW}", sandbox=None), "2105", 400)
    assert "x-sandbox-name" in body["errorMessage"]
    assert api.get(f"/flows/{FLOW}", sandbox="prod").status_code == 200


def test_unknown_sandbox_is_404(api):
    body = flow_error(api.get(f"/flows/{FLOW}", sandbox="qa"), "2100", 404)
    assert "'qa'" in body["errorMessage"]


@pytest.mark.parametrize("collection, prod_id, dev_id", [
    ("flows", FLOW, DEV_FLOW), ("targetConnections", TARGET, DEV_TARGET), ("connections", BASE, DEV_BASE),
])
def test_sandboxes_are_isolated(api, collection, prod_id, dev_id):
    assert api.item(f"/{collection}/{dev_id}", sandbox="dev")["sandboxName"] == "dev"
    flow_error(api.get(f"/{collection}/{dev_id}", sandbox="prod"), "1439", 404)
    flow_error(api.get(f"/{collection}/{prod_id}", sandbox="dev"), "1439", 404)
    dev_ids = {item["id"] for item in api.get(f"/{collection}", sandbox="dev").json()["items"]}
    prod_ids = {item["id"] for item in api.get(f"/{collection}", sandbox="prod").json()["items"]}
    assert dev_id in dev_ids and dev_id not in prod_ids
    assert prod_id in prod_ids and prod_id not in dev_ids


def test_a_write_in_one_sandbox_does_not_touch_another(emulator, api):
    before = emulator.resource("flows", FLOW)
    flow_error(api.patch(f"/flows/{FLOW}", PATCH_BODY, if_match=before["etag"], sandbox="dev"), "1439", 404)
    assert api.patch(f"/flows/{DEV_FLOW}", PATCH_BODY, sandbox="dev").status_code == 200
    assert emulator.resource("flows", FLOW) == before
    assert emulator.resource("flows", DEV_FLOW, sandbox="dev")["name"] == "renamed"


def test_not_found_uses_the_flow_envelope(api):
    response = api.get("/flows/00000000-0000-0000-0000-00000000dead")
    body = flow_error(response, "1439", 404)
    assert body["title"] == "Resource not found"
    assert body["report"]["id"] == "00000000-0000-0000-0000-00000000dead"
    assert body["report"]["type"] == "flows"
    assert "00000000-0000-0000-0000-00000000dead" in body["errorMessage"]


def test_client_request_id_is_echoed(api):
    response = api.get(f"/flows/{FLOW}", headers=api.headers(**{"x-request-id": "my-request-42"}))
    assert response.headers["x-request-id"] == "my-request-42"
    missing = api.get("/flows/nope", headers=api.headers(**{"x-request-id": "my-request-43"}))
    assert missing.json()["report"]["request-id"] == "my-request-43"


def test_every_response_has_a_request_id(emulator, api):
    responses = [
        api.get(f"/flows/{FLOW}"), api.get("/flows/nope"), api.get("/flows", headers={}),
        api.patch(f"/flows/{FLOW}", PATCH_BODY, if_match=None),
        requests.post(emulator.url + "/ims/token/v3", data={}, timeout=10),
        requests.get(emulator.url + "/_emulator/health", timeout=10),
        requests.get(emulator.url + "/elsewhere", timeout=10),
    ]
    ids = [response.headers.get("x-request-id") for response in responses]
    assert all(ids) and len(set(ids)) == len(ids)


def test_unknown_routes_and_methods(api):
    flow_error(api.get("/mappingSets"), "1101", 404)
    flow_error(api.get(f"/flows/{FLOW}/runs"), "1101", 404)
    response = api.session.delete(f"{api.emulator.api_url}/flows/{FLOW}", headers=api.headers(), timeout=10)
    flow_error(response, "0000", 405)
    assert "GET" in response.headers["Allow"]
    flow_error(api.patch("/connectionSpecs/4fce964d-3f37-408f-9778-e597338a21ee", PATCH_BODY, if_match='"x"'), "0000", 405)
    flow_error(api.post("/flows"), "0000", 405)
    for read_only in ("/sourceConnections/5e45582a-5336-4ea1-9ec9-d0004a9f344a", "/flowSpecs/269ba276-16fc-47db-92b0-c1049a3c131f",
                      "/runs/226fb2e1-0000-4000-8000-00000000a001"):
        response = api.patch(read_only, PATCH_BODY, if_match='"x"')
        flow_error(response, "0000", 405)
        assert response.headers["Allow"] == "GET"
