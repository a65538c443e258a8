"""Fixtures of the integration tests: ``play`` runs ansible-playbook against this test's emulator, ``api`` reads it."""

from __future__ import annotations

import pytest
import requests

from playhelpers import DEMO_CLIENT_ID, DEMO_ORG, run_playbook


@pytest.fixture
def play(emulator, tmp_path):
    """``play("name.yml", ...)`` runs a playbook against this test's (freshly reset) emulator."""

    def runner(playbook, **kwargs):
        return run_playbook(playbook, emulator, tmp_path, **kwargs)

    return runner


class Api:
    """Direct reads from the emulator's Flow Service API with the demo static token, to find test data."""

    def __init__(self, emulator):
        self.emulator = emulator

    def get(self, path, sandbox="prod", **params):
        headers = {"Authorization": "Bearer aep-demo-token", "x-api-key": DEMO_CLIENT_ID,
                   "x-gw-ims-org-id": DEMO_ORG, "x-sandbox-name": sandbox}
        response = requests.get(self.emulator.url + "/data/foundation/flowservice" + path, headers=headers,
                                params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    def flows(self, sandbox="prod"):
        items, token = [], None
        while True:
            params = {"limit": 100}
            if token:
                params["continuationToken"] = token
            body = self.get("/flows", sandbox, **params)
            items.extend(body.get("items") or [])
            href = ((body.get("_links") or {}).get("next") or {}).get("href")
            if not href:
                return items
            token = href.split("continuationToken=", 1)[1].split("&", 1)[0]


@pytest.fixture
def api(emulator):
    return Api(emulator)
