"""Issue point 4: etag/version values, If-Match rules on PATCH, the 400 and 412 bodies."""
from __future__ import annotations

import re

import pytest
from emu_support import BASE, FLOW, TARGET, flow_error

ETAG = re.compile(r'^"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{12}"$')
RENAME = [{"op": "replace", "path": "/name", "value": "renamed"}]
PATHS = [f"/flows/{FLOW}", f"/targetConnections/{TARGET}", f"/connections/{BASE}"]


@pytest.mark.parametrize("path", PATHS)
def test_etag_and_version_hold_the_same_quoted_value(api, path):
    item = api.item(path)
    assert item["etag"] == item["version"]
    assert ETAG.match(item["etag"]), item["etag"]


@pytest.mark.parametrize("path", PATHS)
def test_patch_without_if_match_is_400(emulator, api, path):
    before = emulator.resource(path.split("/")[1], path.split("/")[2])
    body = flow_error(api.patch(path, RENAME, if_match=None), "1403", 400)
    assert body["title"] == "Header is missing"
    assert body["errorMessage"] == "The header 'If-Match' is missing in the request. Please provide the header and try again."
    assert emulator.resource(path.split("/")[1], path.split("/")[2]) == before


@pytest.mark.parametrize("path", PATHS)
def test_successful_patch_returns_id_and_a_new_etag(emulator, api, path):
    before = api.item(path)
    response = api.patch(path, RENAME, if_match=before["etag"])
    assert response.status_code == 200
    body = response.json()
    assert body == {"id": before["id"], "etag": body["etag"]}
    assert ETAG.match(body["etag"]) and body["etag"] != before["etag"]
    after = api.item(path)
    assert after["etag"] == after["version"] == body["etag"]
    assert after["name"] == "renamed"
    assert after["updatedAt"] > before["updatedAt"]
    assert after["updatedClient"] == "aep-demo-client"
    assert [entry["if_match"] for entry in emulator.requests(method="PATCH")] == [before["etag"]]


def test_stale_etag_is_412_with_the_version_message(api):
    path = f"/targetConnections/{TARGET}"
    old = api.etag(path)
    assert api.patch(path, RENAME, if_match=old).status_code == 200
    current = api.etag(path)
    body = flow_error(api.patch(path, RENAME, if_match=old), "1404", 412)
    assert body["title"] == "Version not matching"
    assert body["errorMessage"] == f"Supplied version=[{old}] does not match the current version on entity=[{current}]"


@pytest.mark.parametrize("mangle", [
    lambda etag: etag.strip('"'),
    lambda etag: "W/" + etag,
    lambda etag: "*",
    lambda etag: etag.upper(),
], ids=["unquoted", "weak", "star", "upper-case"])
def test_if_match_must_be_the_exact_quoted_etag(emulator, api, mangle):
    path = f"/connections/{BASE}"
    etag = api.etag(path)
    flow_error(api.patch(path, RENAME, if_match=mangle(etag)), "1404", 412)
    assert emulator.resource("connections", BASE)["etag"] == etag


def test_every_successful_write_renews_the_etag(api):
    path = f"/flows/{FLOW}"
    seen = {api.etag(path)}
    for name in ("one", "two", "three"):
        seen.add(api.patch(path, [{"op": "replace", "path": "/name", "value": name}]).json()["etag"])
    seen.add(api.post(f"/flows/{FLOW}/action", params={"op": "disable"}).json()["etag"])
    assert len(seen) == 5


def test_failed_patch_keeps_the_etag(emulator, api):
    path = f"/targetConnections/{TARGET}"
    etag = api.etag(path)
    flow_error(api.patch(path, [{"op": "replace", "path": "/params/fileType", "value": "XML"}], if_match=etag), "1455", 400)
    assert api.etag(path) == etag
    assert emulator.resource("targetConnections", TARGET)["params"]["fileType"] == "CSV"


def test_out_of_band_edit_makes_the_held_etag_stale(emulator, api):
    path = f"/connections/{BASE}"
    held = api.etag(path)
    edited = emulator.edit("connections", BASE, [{"op": "replace", "path": "/name", "value": "changed in the UI"}])
    assert edited["id"] == BASE and edited["etag"] != held
    body = flow_error(api.patch(path, RENAME, if_match=held), "1404", 412)
    assert body["errorMessage"] == f"Supplied version=[{held}] does not match the current version on entity=[{edited['etag']}]"
    assert api.item(path)["name"] == "changed in the UI"
    assert api.patch(path, RENAME, if_match=edited["etag"]).status_code == 200
