"""Issue point 6: secret auth params are write-only; GET masks them (or omits them with --secrets omitted)."""
from __future__ import annotations

import pytest
from emu_support import AZURE_BASE, BASE, DEV_BASE, GAM_BASE, PINTEREST_BASE, Api

MASK = "********"


@pytest.mark.parametrize("rid, secrets, clear", [
    (BASE, ["s3SecretKey"], ["s3AccessKey", "authorizedDate"]),
    (AZURE_BASE, ["connectionString"], ["authorizedDate"]),
    (PINTEREST_BASE, ["accessToken", "refreshToken"], ["expirationDate"]),
])
def test_secrets_are_masked_by_default(emulator, api, rid, secrets, clear):
    stored = emulator.resource("connections", rid)["auth"]["params"]
    shown = api.item(f"/connections/{rid}")["auth"]["params"]
    assert set(shown) == set(stored)
    for key in secrets:
        assert shown[key] == MASK != stored[key]
    for key in clear:
        assert shown[key] == stored[key]


def test_connection_without_secrets(api):
    assert api.item(f"/connections/{GAM_BASE}")["auth"] == {"specName": "Adobe managed", "params": {}}


def test_lists_mask_secrets_too(emulator, api):
    items = api.get("/connections").json()["items"] + api.get("/connections", sandbox="dev").json()["items"]
    assert items
    stored = [emulator.resource("connections", BASE)["auth"]["params"]["s3SecretKey"],
              emulator.resource("connections", DEV_BASE, sandbox="dev")["auth"]["params"]["s3SecretKey"]]
    text = str(items)
    assert all(secret not in text for secret in stored)
    assert {item["auth"]["params"].get("s3SecretKey") for item in items if "s3SecretKey" in item["auth"]["params"]} == {MASK}


def test_a_written_secret_is_stored_but_never_shown(emulator, api):
    secret = "rotatedSecretKeyForTheEmulatorOnly/New12"
    assert api.patch(f"/connections/{BASE}", [{"op": "replace", "path": "/auth/params/s3SecretKey", "value": secret}]).status_code == 200
    assert emulator.resource("connections", BASE)["auth"]["params"]["s3SecretKey"] == secret
    assert api.item(f"/connections/{BASE}")["auth"]["params"]["s3SecretKey"] == MASK


def test_omitted_mode_drops_the_secret_keys(own_emulator):
    emulator = own_emulator("--secrets", "omitted")
    api = Api(emulator)
    shown = api.item(f"/connections/{BASE}")["auth"]["params"]
    assert "s3SecretKey" not in shown
    assert shown["s3AccessKey"] == "DEMOACCESSKEYFORAEP2"
    assert "connectionString" not in api.item(f"/connections/{AZURE_BASE}")["auth"]["params"]
    assert "s3SecretKey" in emulator.resource("connections", BASE)["auth"]["params"]
