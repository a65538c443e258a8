"""Issue point 5: JSON Patch ops, pointer semantics, errors, whole-object replaces, validation against the spec."""
from __future__ import annotations

import pytest
from emu_support import AZURE_BASE, BASE, FLOW, GAM_TARGET, PINTEREST_TARGET, TARGET, TWO_TARGETS_FLOW, demo_id, flow_error

TARGET_PATH = f"/targetConnections/{TARGET}"
BASE_PATH = f"/connections/{BASE}"
FLOW_PATH = f"/flows/{FLOW}"


def stored(emulator, collection: str, rid: str) -> dict:
    """The stored object, secrets in clear."""
    return emulator.resource(collection, rid)


@pytest.mark.parametrize("op", ["add", "ADD", "Add", "replace", "REPLACE", "rEpLaCe"])
def test_ops_in_any_letter_case(emulator, api, op):
    response = api.patch(TARGET_PATH, [{"op": op, "path": "/params/path", "value": "exports/new"}])
    assert response.status_code == 200, response.text
    assert stored(emulator, "targetConnections", TARGET)["params"]["path"] == "exports/new"


@pytest.mark.parametrize("op", ["remove", "REMOVE"])
def test_remove_needs_a_value_of_any_content(emulator, api, op):
    """Adobe's PatchInstruction requires value on remove too; its dataflow tutorial sends a dummy one."""
    body = flow_error(api.patch(TARGET_PATH, [{"op": op, "path": "/params/compression"}]), "1455", 400)
    assert 'Missing field "value"' in body["errorMessage"]
    assert "compression" in stored(emulator, "targetConnections", TARGET)["params"]  # nothing applied
    assert api.patch(TARGET_PATH, [{"op": op, "path": "/params/compression", "value": None}]).status_code == 200
    assert api.patch(TARGET_PATH, [{"op": op, "path": "/description", "value": "ignored"}]).status_code == 200
    target = stored(emulator, "targetConnections", TARGET)
    assert "compression" not in target["params"] and "description" not in target


@pytest.mark.parametrize("op", ["move", "copy", "test", "MOVE", "merge"])
def test_other_ops_are_unsupported(api, op):
    body = flow_error(api.patch(TARGET_PATH, [{"op": op, "path": "/params/path", "from": "/name", "value": "x"}]), "1434", 400)
    assert f"'{op}'" in body["errorMessage"]


@pytest.mark.parametrize("data", [b"[]", b"null", b"", b"{}"], ids=["empty-array", "null", "no-bytes", "empty-object"])
def test_empty_body_is_1405(api, data):
    response = api.patch(TARGET_PATH, None, data=data, headers=api.headers(**{"Content-Type": "application/json"}))
    flow_error(response, "1405", 400)


@pytest.mark.parametrize("ops, words", [
    ([{"path": "/name", "value": "x"}], 'Missing field "op"'),
    ([{"op": "replace", "value": "x"}], 'Missing field "path"'),
    ([{"op": "replace", "path": "/name"}], 'Missing field "value"'),
    ([{"op": "replace", "path": "name", "value": "x"}], 'starts with "/"'),
    ([{"op": "replace", "path": "", "value": {}}], "whole document"),
    ([{"op": "replace", "path": "/params/nosuchkey", "value": "x"}], 'Missing field "nosuchkey"'),
    ([{"op": "remove", "path": "/params/nosuchkey", "value": "x"}], 'Missing field "nosuchkey"'),
    ([{"op": "add", "path": "/params/nothere/deeper", "value": "x"}], 'Missing field "nothere"'),
    ([{"op": "replace", "path": "/params/bucketName/x", "value": "x"}], 'Missing field "x"'),
    ([{"op": "replace", "path": "/state", "value": "disabled"}], '"state" cannot be updated'),
    ([{"op": "replace", "path": "/id", "value": "x"}], '"id" cannot be updated'),
    ([{"op": "replace", "path": "/baseConnectionId", "value": "x"}], '"baseConnectionId" cannot be updated'),
    ({"op": "replace", "path": "/name", "value": "x"}, "JSON array"),
    (["not an object"], "not a JSON object"),
    ([{"op": 3, "path": "/name", "value": "x"}], '"op"'),
])
def test_bad_patches_are_1455(emulator, api, ops, words):
    before = stored(emulator, "targetConnections", TARGET)
    body = flow_error(api.patch(TARGET_PATH, ops), "1455", 400)
    assert body["errorMessage"].startswith("An error has occurred while validating patch instructions: ")
    assert words in body["errorMessage"]
    assert stored(emulator, "targetConnections", TARGET) == before


def test_body_that_is_not_json(api):
    response = api.patch(TARGET_PATH, None, data=b"[{not json", headers=api.headers(**{"Content-Type": "application/json"}))
    flow_error(response, "1455", 400)


@pytest.mark.parametrize("path, rid, pointer", [
    ("targetConnections", TARGET, "/connectionSpec"), ("targetConnections", TARGET, "/connectionSpec/id"),
    ("connections", BASE, "/connectionSpec"), ("connections", BASE, "/connectionSpec/version"),
])
def test_connection_spec_is_immutable(emulator, api, path, rid, pointer):
    before = stored(emulator, path, rid)
    body = flow_error(api.patch(f"/{path}/{rid}", [{"op": "replace", "path": pointer, "value": "x"}]), "1414", 400)
    assert body["errorMessage"] == "The connection spec of a connection cannot be updated."
    assert stored(emulator, path, rid) == before


def test_per_key_edits_leave_the_other_params(emulator, api):
    before = stored(emulator, "targetConnections", TARGET)["params"]
    ops = [{"op": "replace", "path": "/params/bucketName", "value": "new-bucket"},
           {"op": "replace", "path": "/params/csvOptions/delimiter", "value": ";"},
           {"op": "add", "path": "/params/datasetFileType", "value": "JSON"}]
    assert api.patch(TARGET_PATH, ops).status_code == 200
    after = stored(emulator, "targetConnections", TARGET)["params"]
    assert after == {**before, "bucketName": "new-bucket", "datasetFileType": "JSON", "csvOptions": {**before["csvOptions"], "delimiter": ";"}}


def test_replace_of_params_replaces_the_whole_object(emulator, api):
    response = api.patch(TARGET_PATH, [{"op": "replace", "path": "/params", "value": {"bucketName": "new-bucket", "path": "updated-path"}}])
    assert response.status_code == 200, response.text
    assert stored(emulator, "targetConnections", TARGET)["params"] == {"bucketName": "new-bucket", "path": "updated-path"}
    assert api.item(TARGET_PATH)["params"] == {"bucketName": "new-bucket", "path": "updated-path"}


def test_add_of_params_also_replaces_the_whole_object(emulator, api):
    assert api.patch(TARGET_PATH, [{"op": "add", "path": "/params", "value": {"fileType": "JSON"}}]).status_code == 200
    assert stored(emulator, "targetConnections", TARGET)["params"] == {"fileType": "JSON"}


def test_whole_object_replace_of_auth_params_loses_the_secret(emulator, api):
    assert stored(emulator, "connections", BASE)["auth"]["params"]["s3SecretKey"]
    response = api.patch(BASE_PATH, [{"op": "replace", "path": "/auth/params", "value": {"s3AccessKey": "NEWACCESSKEYFORAEP22"}}])
    assert response.status_code == 200, response.text
    params = stored(emulator, "connections", BASE)["auth"]["params"]
    assert params == {"s3AccessKey": "NEWACCESSKEYFORAEP22"}
    shown = api.item(BASE_PATH)["auth"]["params"]
    assert "s3SecretKey" not in shown and "authorizedDate" not in shown


def test_add_of_auth_params_overrides_all_prior_params(emulator, api):
    new = {"connectionString": "DefaultEndpointsProtocol=https;AccountName=other;AccountKey=bmV3;EndpointSuffix=core.windows.net"}
    assert api.patch(f"/connections/{AZURE_BASE}", [{"op": "add", "path": "/auth/params", "value": new}]).status_code == 200
    assert stored(emulator, "connections", AZURE_BASE)["auth"]["params"] == new


def test_per_key_secret_update_keeps_the_other_auth_params(emulator, api):
    secret = "rotatedSecretKeyForTheEmulatorOnly/New12"
    assert api.patch(BASE_PATH, [{"op": "replace", "path": "/auth/params/s3SecretKey", "value": secret}]).status_code == 200
    params = stored(emulator, "connections", BASE)["auth"]["params"]
    assert params["s3SecretKey"] == secret and params["s3AccessKey"] == "DEMOACCESSKEYFORAEP2" and "authorizedDate" in params


def test_pointer_escapes(emulator, api):
    ops = [{"op": "add", "path": "/transformations/0/params/a~1b", "value": 1},
           {"op": "add", "path": "/transformations/0/params/c~0d", "value": 2},
           {"op": "add", "path": "/transformations/0/params/e~01", "value": 3}]
    assert api.patch(FLOW_PATH, ops).status_code == 200
    params = stored(emulator, "flows", FLOW)["transformations"][0]["params"]
    assert params["a/b"] == 1 and params["c~d"] == 2 and params["e~1"] == 3
    assert api.patch(FLOW_PATH, [{"op": "remove", "path": "/transformations/0/params/a~1b", "value": 1}]).status_code == 200
    assert "a/b" not in stored(emulator, "flows", FLOW)["transformations"][0]["params"]


def test_array_ops_on_a_flow(emulator, api):
    selectors = "/transformations/0/params/segmentSelectors/selectors"
    audience = {"type": "PLATFORM_SEGMENT", "value": {"id": "a1000000-0000-4000-8000-0000000000ff", "name": "New audience"}}
    assert api.patch(FLOW_PATH, [{"op": "add", "path": f"{selectors}/-", "value": audience}]).status_code == 200
    added = stored(emulator, "flows", FLOW)["transformations"][0]["params"]["segmentSelectors"]["selectors"][-1]
    stamps = {"createTime", "updateTime"}  # set by the server on the selectors a patch adds (selectors.py)
    assert {**added, "value": {k: v for k, v in added["value"].items() if k not in stamps}} == audience
    assert stamps <= set(added["value"])
    assert api.patch(FLOW_PATH, [{"op": "add", "path": f"{selectors}/0", "value": audience}]).status_code == 200
    assert api.patch(FLOW_PATH, [{"op": "remove", "path": f"{selectors}/0", "value": {}}]).status_code == 200
    assert len(stored(emulator, "flows", FLOW)["transformations"][0]["params"]["segmentSelectors"]["selectors"]) == 2
    for index in ("5", "01", "-1", "x"):
        flow_error(api.patch(FLOW_PATH, [{"op": "replace", "path": f"{selectors}/{index}", "value": audience}]), "1455", 400)
    flow_error(api.patch(FLOW_PATH, [{"op": "remove", "path": f"{selectors}/-", "value": {}}]), "1455", 400)


def test_flow_name_and_description_with_last_operation(emulator, api):
    ops = [{"op": "replace", "path": "/name", "value": "2022 winter campaign"},
           {"op": "replace", "path": "/description", "value": "Renewed"}]
    assert api.patch(FLOW_PATH, ops).status_code == 200
    flow = api.item(FLOW_PATH)
    assert (flow["name"], flow["description"]) == ("2022 winter campaign", "Renewed")
    assert flow["lastOperation"]["operation"] == "update"
    assert flow["lastOperation"]["ops"] == ops
    flow_error(api.patch(FLOW_PATH, [{"op": "replace", "path": "/name", "value": 7}]), "1455", 400)
    flow_error(api.patch(FLOW_PATH, [{"op": "replace", "path": "/flowSpec/id", "value": "x"}]), "1455", 400)
    assert emulator.resource("flows", FLOW)["name"] == "2022 winter campaign"


def test_changing_target_connection_ids_updates_inherited_attributes(api):
    response = api.patch(f"/flows/{TWO_TARGETS_FLOW}", [{"op": "remove", "path": "/targetConnectionIds/1", "value": demo_id(5, 5)}])
    assert response.status_code == 200
    inherited = api.item(f"/flows/{TWO_TARGETS_FLOW}")["inheritedAttributes"]["targetConnections"]
    assert [entry["baseConnection"]["id"] for entry in inherited] == [demo_id(5, 3)]


@pytest.mark.parametrize("ops, key", [
    ([{"op": "replace", "path": "/params/fileType", "value": "XML"}], "params.fileType"),
    ([{"op": "replace", "path": "/params/compression", "value": 1}], "params.compression"),
    ([{"op": "replace", "path": "/params/bucketName", "value": "newBucketName"}], "params.bucketName"),
    ([{"op": "replace", "path": "/params/csvOptions/delimiter", "value": "#"}], "params.csvOptions.delimiter"),
    ([{"op": "replace", "path": "/params", "value": {"bucketName": "newBucketName", "path": "updatedPath"}}], "params.bucketName"),
    ([{"op": "replace", "path": "/params", "value": "a string"}], "params"),
])
def test_target_params_are_validated_against_the_spec(emulator, api, ops, key):
    before = stored(emulator, "targetConnections", TARGET)
    body = flow_error(api.patch(TARGET_PATH, ops), "1455", 400)
    assert f'"{key}"' in body["errorMessage"]
    assert stored(emulator, "targetConnections", TARGET) == before


@pytest.mark.parametrize("ops, key", [
    ([{"op": "replace", "path": "/auth/params/s3AccessKey", "value": "lowercase-is-wrong"}], "auth.params.s3AccessKey"),
    ([{"op": "replace", "path": "/auth/params/s3SecretKey", "value": "too-short"}], "auth.params.s3SecretKey"),
    ([{"op": "replace", "path": "/auth/params/s3SecretKey", "value": 12345}], "auth.params.s3SecretKey"),
])
def test_auth_params_are_validated_against_the_auth_spec(emulator, api, ops, key):
    before = stored(emulator, "connections", BASE)
    body = flow_error(api.patch(BASE_PATH, ops), "1455", 400)
    assert f'"{key}"' in body["errorMessage"]
    assert stored(emulator, "connections", BASE) == before


def test_unknown_auth_spec_name_is_1415(api):
    body = flow_error(api.patch(BASE_PATH, [{"op": "replace", "path": "/auth/specName", "value": "Password"}]), "1415", 400)
    assert "'Password'" in body["errorMessage"]


def test_missing_required_keys_are_not_rejected(emulator, api):
    assert api.patch(TARGET_PATH, [{"op": "remove", "path": "/params/bucketName", "value": "x"}]).status_code == 200
    assert "bucketName" not in stored(emulator, "targetConnections", TARGET)["params"]


def test_tutorial_examples(emulator, api):
    pinterest = api.patch(f"/targetConnections/{PINTEREST_TARGET}", [{"op": "replace", "path": "/params", "value": {"advertiser_id": "1234567890"}}])
    assert pinterest.status_code == 200, pinterest.text
    gam = api.patch(f"/targetConnections/{GAM_TARGET}", [{"op": "add", "path": "/params/appendSegmentId", "value": True}])
    assert gam.status_code == 200, gam.text
    assert stored(emulator, "targetConnections", GAM_TARGET)["params"]["appendSegmentId"] is True
    wrong_type = api.patch(f"/targetConnections/{GAM_TARGET}", [{"op": "replace", "path": "/params/appendSegmentId", "value": "yes"}])
    assert '"params.appendSegmentId"' in flow_error(wrong_type, "1455", 400)["errorMessage"]
    azure = api.patch(f"/connections/{AZURE_BASE}", [{"op": "add", "path": "/auth/params", "value": {"connectionString": "updatedString"}}])
    assert azure.status_code == 200, azure.text


def test_a_failing_op_aborts_the_whole_patch(emulator, api):
    before = stored(emulator, "targetConnections", TARGET)
    ops = [{"op": "replace", "path": "/name", "value": "renamed"},
           {"op": "replace", "path": "/params/bucketName", "value": "fine-bucket"},
           {"op": "remove", "path": "/params/nosuchkey", "value": "x"}]
    flow_error(api.patch(TARGET_PATH, ops), "1455", 400)
    assert stored(emulator, "targetConnections", TARGET) == before
