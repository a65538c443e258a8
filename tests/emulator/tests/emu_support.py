"""Helpers of the emulator's own tests: the demo ids, a requests-based API client, envelope assertions."""
from __future__ import annotations

import requests

from harness import (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SCOPE, S3_CONNECTION_SPEC_ID, TUTORIAL_BASE_CONNECTION_ID,
                     TUTORIAL_FLOW_ID, TUTORIAL_TARGET_CONNECTION_ID, demo_headers)

FLOW = TUTORIAL_FLOW_ID
TARGET = TUTORIAL_TARGET_CONNECTION_ID
BASE = TUTORIAL_BASE_CONNECTION_ID
S3_SPEC = S3_CONNECTION_SPEC_ID
AZURE_SPEC = "6d6b59bf-fb58-4107-9064-4d246c0e5bb2"
PINTEREST_SPEC = "e0000001-0000-4000-8000-000000000000"
GAM_SPEC = "e0000002-0000-4000-8000-000000000000"
PROFILE_SPEC = "8a9c3494-9708-43d7-ae3f-cda01e5030e1"


def demo_id(dataflow: int, role: int) -> str:
    """Id of a numbered demo dataflow's resource (role 1 flow, 2 target, 3 base, 4 source, 5/6 second target/base)."""
    return f"{dataflow:08d}-0000-4000-8000-{role:012d}"


AZURE_FLOW, AZURE_TARGET, AZURE_BASE = demo_id(2, 1), demo_id(2, 2), demo_id(2, 3)
PINTEREST_FLOW, PINTEREST_TARGET, PINTEREST_BASE = demo_id(3, 1), demo_id(3, 2), demo_id(3, 3)
GAM_FLOW, GAM_TARGET, GAM_BASE = demo_id(4, 1), demo_id(4, 2), demo_id(4, 3)
TWO_TARGETS_FLOW = demo_id(5, 1)
SOURCE_FLOW, SOURCE_TARGET, SOURCE_BASE = demo_id(6, 1), demo_id(6, 2), demo_id(6, 3)
DEV_FLOW, DEV_TARGET, DEV_BASE = demo_id(7, 1), demo_id(7, 2), demo_id(7, 3)
PROD_FLOWS = 6
TOKEN_FORM = {"grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET, "scope": DEMO_SCOPE}

TIMEOUT = 10


class Api:
    """A requests.Session speaking to one emulator's Flow Service with the demo credentials."""

    def __init__(self, emulator) -> None:
        self.emulator = emulator
        self.session = requests.Session()

    def headers(self, sandbox: str | None = "prod", token: str | None = None, **extra: str) -> dict:
        """Demo headers, optionally with another sandbox or token, plus extra headers."""
        headers = demo_headers(sandbox) if token is None else demo_headers(sandbox, token=token)
        headers.update(extra)
        return headers

    def get(self, path: str, sandbox: str | None = "prod", headers: dict | None = None, **kwargs) -> requests.Response:
        """GET ``path`` under the Flow Service base."""
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.get(self.emulator.api_url + path, headers=self.headers(sandbox) if headers is None else headers, **kwargs)

    def item(self, path: str, sandbox: str = "prod") -> dict:
        """The single item of a GET-by-id."""
        response = self.get(path, sandbox)
        assert response.status_code == 200, response.text
        return response.json()["items"][0]

    def etag(self, path: str, sandbox: str = "prod") -> str:
        """The current etag of a resource."""
        return self.item(path, sandbox)["etag"]

    def patch(self, path: str, ops: object, if_match: str | None = "current", sandbox: str = "prod", headers: dict | None = None,
              **kwargs) -> requests.Response:
        """PATCH ``path`` with a JSON body; ``if_match="current"`` sends the current etag, None sends none."""
        kwargs.setdefault("timeout", TIMEOUT)
        sent = dict(self.headers(sandbox) if headers is None else headers)
        if if_match == "current":
            if_match = self.etag(path, sandbox)
        if if_match is not None:
            sent["If-Match"] = if_match
        if "data" not in kwargs:
            kwargs["json"] = ops
        return self.session.patch(self.emulator.api_url + path, headers=sent, **kwargs)

    def post(self, path: str, sandbox: str = "prod", headers: dict | None = None, **kwargs) -> requests.Response:
        """POST ``path`` under the Flow Service base."""
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.post(self.emulator.api_url + path, headers=self.headers(sandbox) if headers is None else headers, **kwargs)

    def close(self) -> None:
        """Close the session."""
        self.session.close()


def flow_error(response: requests.Response, code: str, status: int) -> dict:
    """Assert a FLOW envelope with the given catalog code and return the body."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == f"https://ns.adobe.com/aep/errors/FLOW-{code}-{status}", body
    assert body["status"] == status
    assert body["report"]["request-id"] == response.headers["x-request-id"]
    assert body["errorMessage"] == body["errorDetails"] == body["report"]["detailed-message"]
    return body
