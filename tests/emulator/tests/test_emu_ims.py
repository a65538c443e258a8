"""Issue point 1: the IMS token exchange, its errors, token lifetime and expiry."""
from __future__ import annotations

import time

import pytest
import requests
from emu_support import FLOW, TOKEN_FORM, Api

from harness import DEMO_CLIENT_ID, DEMO_ORG


def exchange(emulator, **form) -> requests.Response:
    """POST a token request form."""
    return requests.post(emulator.url + "/ims/token/v3", data=form, timeout=10)


def mint(emulator, **overrides) -> str:
    """A fresh access token for the demo client (or another one)."""
    response = exchange(emulator, **{**TOKEN_FORM, **overrides})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_exchange_returns_a_bearer_token_the_api_accepts(emulator, api):
    response = exchange(emulator, **TOKEN_FORM)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 86399
    assert "x-request-id" in response.headers
    assert api.get(f"/flows/{FLOW}", headers=api.headers(token=body["access_token"])).status_code == 200


def test_each_exchange_mints_a_new_token(emulator):
    assert mint(emulator) != mint(emulator)


def test_form_fields_in_the_query_string_are_accepted(emulator):
    response = requests.post(emulator.url + "/ims/token/v3", params=TOKEN_FORM, timeout=10)
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


def test_scope_is_optional(emulator):
    form = {key: value for key, value in TOKEN_FORM.items() if key != "scope"}
    assert exchange(emulator, **form).status_code == 200


@pytest.mark.parametrize("change, status, error", [
    ({"client_secret": "wrong-secret"}, 401, "invalid_client"),
    ({"client_secret": ""}, 401, "invalid_client"),
    ({"client_id": "nobody"}, 400, "invalid_client"),
    ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ({"grant_type": ""}, 400, "invalid_request"),
    ({"scope": "openid,not_a_scope"}, 400, "invalid_scope"),
])
def test_bad_requests_get_ims_errors(emulator, change, status, error):
    response = exchange(emulator, **{**TOKEN_FORM, **change})
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error
    assert body["error_description"]
    assert "access_token" not in body


def test_token_endpoint_only_takes_post(emulator):
    response = requests.get(emulator.url + "/ims/token/v3", timeout=10)
    assert response.status_code == 405
    assert response.json()["error"] == "invalid_request"


def test_token_lifetime_is_configurable_and_tokens_expire(own_emulator):
    emulator = own_emulator("--token-lifetime", "1")
    response = exchange(emulator, **TOKEN_FORM)
    assert response.json()["expires_in"] == 1
    token = response.json()["access_token"]
    api = Api(emulator)
    assert api.get(f"/flows/{FLOW}", headers=api.headers(token=token)).status_code == 200
    time.sleep(1.1)
    expired = api.get(f"/flows/{FLOW}", headers=api.headers(token=token))
    assert expired.status_code == 401
    assert expired.json() == {"error_code": "401013", "message": "Oauth token is not valid"}
    assert api.get(f"/flows/{FLOW}").status_code == 200  # the static demo token does not expire


def test_expire_tokens_expires_minted_tokens_only(emulator, api):
    token = mint(emulator)
    assert api.get(f"/flows/{FLOW}", headers=api.headers(token=token)).status_code == 200
    emulator.expire_tokens()
    response = api.get(f"/flows/{FLOW}", headers=api.headers(token=token))
    assert response.status_code == 401
    assert response.json()["error_code"] == "401013"
    assert api.get(f"/flows/{FLOW}").status_code == 200
    assert api.get(f"/flows/{FLOW}", headers=api.headers(token=mint(emulator))).status_code == 200


def test_minted_tokens_survive_a_reset(emulator, api):
    token = mint(emulator)
    emulator.reset()
    assert api.get(f"/flows/{FLOW}", headers=api.headers(token=token)).status_code == 200


def test_api_key_must_be_the_client_the_token_was_minted_for(emulator, api):
    other = mint(emulator, client_id="aep-other-client", client_secret="aep-other-secret")
    mismatched = api.get(f"/flows/{FLOW}", headers=api.headers(token=other))
    assert mismatched.status_code == 403
    assert mismatched.json() == {"error_code": "403003", "message": "Api Key is invalid"}
    matched = api.get(f"/flows/{FLOW}", headers=api.headers(token=other, **{"x-api-key": "aep-other-client"}))
    assert matched.status_code == 200


def test_static_token_belongs_to_the_demo_client(api):
    response = api.get(f"/flows/{FLOW}", headers=api.headers(**{"x-api-key": "aep-other-client"}))
    assert response.status_code == 403
    assert response.json()["error_code"] == "403003"


def test_token_of_another_org_is_refused_for_the_demo_org(emulator, api):
    foreign = mint(emulator, client_id="aep-foreign-client", client_secret="aep-foreign-secret")
    headers = api.headers(token=foreign, **{"x-api-key": "aep-foreign-client"})
    assert headers["x-gw-ims-org-id"] == DEMO_ORG
    response = api.get(f"/flows/{FLOW}", headers=headers)
    assert response.status_code == 403
    assert response.json() == {"error_code": "403025", "message": "Profile is not valid"}


def test_token_request_is_logged_without_the_secret(emulator):
    emulator.clear_requests()
    exchange(emulator, **TOKEN_FORM)
    [entry] = emulator.requests(path_contains="/ims/")
    assert entry["method"] == "POST"
    assert entry["status"] == 200
    assert entry["body"] == {"grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID}
    assert "aep-demo-secret" not in str(entry)
