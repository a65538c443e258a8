"""Issue points 2 and 11: every Flow Service route, resource shapes, the demo data, enable/disable actions."""
from __future__ import annotations

import pytest
from emu_support import (AZURE_BASE, AZURE_FLOW, AZURE_SPEC, AZURE_TARGET, BASE, DEV_FLOW, FLOW, GAM_FLOW, GAM_SPEC, GAM_TARGET,
                         PINTEREST_BASE, PINTEREST_FLOW, PINTEREST_SPEC, PINTEREST_TARGET, PROFILE_SPEC, S3_SPEC, SOURCE_FLOW, TARGET,
                         TWO_TARGETS_FLOW, demo_id, flow_error)

from harness import DEMO_ORG


@pytest.mark.parametrize("collection, rid", [
    ("flows", FLOW), ("targetConnections", TARGET), ("connections", BASE), ("connectionSpecs", S3_SPEC),
])
def test_get_by_id_returns_the_items_wrapper(api, collection, rid):
    response = api.get(f"/{collection}/{rid}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["items"]
    assert len(body["items"]) == 1 and body["items"][0]["id"] == rid


@pytest.mark.parametrize("collection, rid", [
    ("flows", FLOW), ("targetConnections", TARGET), ("connections", BASE), ("connectionSpecs", S3_SPEC),
])
def test_lists_hold_the_resources(api, collection, rid):
    body = api.get(f"/{collection}").json()
    assert rid in [item["id"] for item in body["items"]]
    assert "_links" in body and "next" not in body["_links"]


def test_tutorial_dataflow(api):
    flow = api.item(f"/flows/{FLOW}")
    assert flow["name"] == "2021 winter campaign"
    assert flow["state"] == "enabled"
    assert flow["targetConnectionIds"] == [TARGET]
    assert flow["sandboxName"] == "prod" and flow["imsOrgId"] == DEMO_ORG
    assert flow["etag"] == flow["version"]
    assert flow["runs"] == f"/runs?property=flowId=={FLOW}"
    inherited = flow["inheritedAttributes"]
    assert inherited["properties"] == {"isDestinationFlow": True}
    [target] = inherited["targetConnections"]
    assert target["id"] == TARGET
    assert target["connectionSpec"] == {"id": S3_SPEC, "version": "1.0"}
    assert target["baseConnection"] == {"id": BASE, "connectionSpec": {"id": S3_SPEC, "version": "1.0"}}
    [source] = inherited["sourceConnections"]
    assert source["connectionSpec"]["id"] == PROFILE_SPEC
    assert source["typeInfo"] == {"type": "ProfileFragments", "id": "ups"}


def test_tutorial_target_and_base_connection(api):
    target = api.item(f"/targetConnections/{TARGET}")
    assert target["baseConnectionId"] == BASE
    assert target["connectionSpec"] == {"id": S3_SPEC, "version": "1.0"}
    assert target["inheritedAttributes"] == {"baseConnection": {"id": BASE, "connectionSpec": {"id": S3_SPEC, "version": "1.0"}}}
    assert set(target["params"]) >= {"bucketName", "path", "fileType", "compression", "csvOptions", "mode"}
    assert target["params"]["csvOptions"]["delimiter"] == ","
    base = api.item(f"/connections/{BASE}")
    assert base["auth"]["specName"] == "Access Key"
    assert set(base["auth"]["params"]) == {"s3AccessKey", "s3SecretKey", "authorizedDate"}
    assert "baseConnectionId" not in base


def test_s3_connection_spec(api):
    spec = api.item(f"/connectionSpecs/{S3_SPEC}")
    [auth] = spec["authSpec"]
    assert auth["name"] == "Access Key"
    properties = auth["spec"]["properties"]
    assert properties["s3SecretKey"]["format"] == "password"
    assert properties["s3SecretKey"]["pattern"] == "^[A-Za-z0-9/\\+]{40}$"
    assert properties["s3AccessKey"]["pattern"] == "^[A-Z2-7]{20}$"
    assert "format" not in properties["s3AccessKey"]
    target = spec["targetSpec"]["spec"]
    assert "additionalProperties" not in target  # open, as Adobe publishes it (test_emu_published_specs.py)
    assert target["properties"]["fileType"]["enum"] == ["CSV", "JSON", "PARQUET"]
    assert target["properties"]["compression"]["enum"] == ["NONE", "GZIP"]
    assert set(target["properties"]["csvOptions"]["properties"]) == {"delimiter", "quote", "escape", "nullValue", "emptyValue"}


@pytest.mark.parametrize("flow, target, base, spec, param, secret", [
    (AZURE_FLOW, AZURE_TARGET, AZURE_BASE, AZURE_SPEC, "container", "connectionString"),
    (PINTEREST_FLOW, PINTEREST_TARGET, PINTEREST_BASE, PINTEREST_SPEC, "advertiser_id", "accessToken"),
])
def test_other_destinations(api, flow, target, base, spec, param, secret):
    item = api.item(f"/flows/{flow}")
    assert item["inheritedAttributes"]["targetConnections"][0]["baseConnection"]["id"] == base
    assert api.item(f"/targetConnections/{target}")["connectionSpec"]["id"] == spec
    assert param in api.item(f"/targetConnections/{target}")["params"]
    assert secret in api.item(f"/connections/{base}")["auth"]["params"]
    auth_properties = api.item(f"/connectionSpecs/{spec}")["authSpec"][0]["spec"]["properties"]
    assert auth_properties[secret]["format"] == "password"


def test_google_ad_manager(api):
    flow = api.item(f"/flows/{GAM_FLOW}")
    assert flow["state"] == "disabled"
    target = api.item(f"/targetConnections/{GAM_TARGET}")
    assert "appendSegmentId" not in target["params"]
    properties = api.item(f"/connectionSpecs/{GAM_SPEC}")["targetSpec"]["spec"]["properties"]
    assert properties["appendSegmentId"] == {"type": "boolean"}
    assert properties["accountType"]["enum"] == ["DFP_BY_GOOGLE", "ADX_BUYER"]


def test_two_target_flow_and_source_flow(api):
    two = api.item(f"/flows/{TWO_TARGETS_FLOW}")
    assert two["targetConnectionIds"] == [demo_id(5, 2), demo_id(5, 5)]
    bases = [entry["baseConnection"]["id"] for entry in two["inheritedAttributes"]["targetConnections"]]
    assert bases == [demo_id(5, 3), demo_id(5, 6)]
    source = api.item(f"/flows/{SOURCE_FLOW}")
    assert source["inheritedAttributes"]["properties"]["isDestinationFlow"] is False
    assert "baseConnection" not in source["inheritedAttributes"]["targetConnections"][0]


def test_dev_sandbox_has_its_own_s3_dataflow(api):
    flow = api.item(f"/flows/{DEV_FLOW}", sandbox="dev")
    assert flow["sandboxName"] == "dev"
    assert flow["inheritedAttributes"]["targetConnections"][0]["connectionSpec"]["id"] == S3_SPEC


def test_disable_then_enable(emulator, api):
    before = api.item(f"/flows/{FLOW}")
    response = api.post(f"/flows/{FLOW}/action", params={"op": "disable"})
    assert response.status_code == 200
    assert set(response.json()) == {"id", "etag"} and response.json()["id"] == FLOW
    after = api.item(f"/flows/{FLOW}")
    assert after["state"] == "disabled"
    assert after["etag"] == response.json()["etag"] != before["etag"]
    assert after["lastOperation"]["operation"] == "disable"
    assert api.post(f"/flows/{FLOW}/action", params={"op": "ENABLE"}).status_code == 200
    assert emulator.resource("flows", FLOW)["state"] == "enabled"


def test_repeated_action_is_rejected(api):
    body = flow_error(api.post(f"/flows/{FLOW}/action", params={"op": "enable"}), "1422", 400)
    assert "enable" in body["errorMessage"] and "enabled" in body["errorMessage"]
    flow_error(api.post(f"/flows/{GAM_FLOW}/action", params={"op": "disable"}), "1422", 400)


@pytest.mark.parametrize("params, code", [
    ({}, "1453"), ({"op": "finalize"}, "1402"), ({"op": "PUBLISH"}, "1402"), ({"op": "reverse"}, "1434"),
    ({"op": "disable", "subOp": "APPLY"}, "1436"),
])
def test_bad_actions(api, params, code):
    flow_error(api.post(f"/flows/{FLOW}/action", params=params), code, 400)


def test_action_if_match_is_optional_but_checked(api):
    stale = flow_error(api.post(f"/flows/{FLOW}/action", params={"op": "disable"}, headers=api.headers(**{"If-Match": '"stale"'})), "1404", 412)
    assert "Supplied version=[\"stale\"]" in stale["errorMessage"]
    current = api.etag(f"/flows/{FLOW}")
    assert api.post(f"/flows/{FLOW}/action", params={"op": "disable"}, headers=api.headers(**{"If-Match": current})).status_code == 200


def test_action_on_unknown_flow(api):
    flow_error(api.post("/flows/nope/action", params={"op": "disable"}), "1439", 404)


def test_trailing_slash_is_accepted(api):
    assert api.get(f"/connections/{BASE}/").status_code == 200
    response = api.patch(f"/connections/{BASE}/", [{"op": "replace", "path": "/name", "value": "renamed"}], if_match=api.etag(f"/connections/{BASE}"))
    assert response.status_code == 200, response.text
