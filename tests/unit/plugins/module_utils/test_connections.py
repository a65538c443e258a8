"""Desired-state logic of target and base connections, and the schema check, without HTTP."""

from __future__ import annotations

import pytest

from ansible_collections.aep.flow_service.plugins.module_utils._connections import (
    base_connection_ids,
    base_operations,
    mask_connection,
    mask_operations,
    target_operations,
)
from ansible_collections.aep.flow_service.plugins.module_utils._converge import ConvergeError
from ansible_collections.aep.flow_service.plugins.module_utils._patch import apply_patch
from ansible_collections.aep.flow_service.plugins.module_utils._schema import MASK, check_object, secret_fields

S3_SPEC = {
    "id": "4fce964d-3f37-408f-9778-e597338a21ee",
    "authSpec": [{"name": "Access Key", "type": "KeyBased", "spec": {"type": "object", "properties": {
        "s3AccessKey": {"type": "string", "pattern": "^[A-Z2-7]{20}$"},
        "s3SecretKey": {"type": "string", "format": "password"},
    }, "required": ["s3AccessKey", "s3SecretKey"]}}],
    "targetSpec": {"name": "User based target", "spec": {"type": "object", "properties": {
        "bucketName": {"type": "string", "minLength": 3, "maxLength": 63},
        "path": {"type": "string"},
        "fileType": {"type": "string", "enum": ["CSV", "JSON", "PARQUET"]},
        "csvOptions": {"type": "object", "properties": {"delimiter": {"type": "string"}}},
        "advertiser_id": {"type": "string"},
        "appendSegmentId": {"type": "boolean"},
    }}},
}
TARGET = {"id": "t1", "name": "S3", "params": {"bucketName": "old-bucket", "path": "a", "fileType": "CSV"}}
BASE = {"id": "b1", "name": "S3 base", "auth": {"specName": "Access Key", "params": {
    "s3AccessKey": "AAAAAAAAAAAAAAAAAAAA", "s3SecretKey": MASK, "authorizedDate": "2024-01-01"}}}
NEW_KEY = "BBBBBBBBBBBBBBBBBBBB"


def test_target_operations_touch_only_differences():
    ops = target_operations(TARGET, S3_SPEC, {"bucketName": "new-bucket", "path": "a"}, False)
    assert ops == [{"op": "replace", "path": "/params/bucketName", "value": "new-bucket"}]


def test_target_operations_coerce_like_module_options():
    ops = target_operations(TARGET, S3_SPEC, {"advertiser_id": 1234567890, "appendSegmentId": "yes"}, False)
    assert {op["path"]: op["value"] for op in ops} == {"/params/advertiser_id": "1234567890", "/params/appendSegmentId": True}


@pytest.mark.parametrize("params, words", [
    ({"bucket": "x"}, ["bucket is not a parameter", "bucketName", "fileType"]),
    ({"fileType": "XML"}, ["fileType must be one of", "'CSV'"]),
    ({"path": ["a"]}, ["path must be of type string, got array"]),
    ({"csvOptions": {"sep": ","}}, ["csvOptions.sep is not a parameter", "delimiter"]),
    ({"bucketName": "ab"}, ["shorter than 3"]),
    ({"appendSegmentId": "maybe"}, ["appendSegmentId must be of type boolean"]),
])
def test_target_params_checked_against_spec(params, words):
    with pytest.raises(ConvergeError) as info:
        target_operations(TARGET, S3_SPEC, params, False)
    for word in words:
        assert word in str(info.value)


def test_purge_removes_unlisted_and_name_is_managed():
    ops = target_operations(TARGET, S3_SPEC, {"bucketName": "old-bucket"}, True, name="S3 renamed")
    result = apply_patch(TARGET, ops)
    assert result["params"] == {"bucketName": "old-bucket"}
    assert result["name"] == "S3 renamed"


def test_purge_never_drops_mode_that_the_connection_carries():
    """No published spec declares mode, but every real target connection carries it: purge keeps it unless listed."""
    current = dict(TARGET, params=dict(TARGET["params"], mode="Server-to-server"))
    with pytest.raises(ConvergeError) as info:
        target_operations(current, S3_SPEC, {"bucketName": "old-bucket", "path": "a", "fileType": "CSV"}, True)
    assert "would remove mode" in str(info.value) and "nothing was written" in str(info.value)
    listed = target_operations(current, S3_SPEC, {"bucketName": "old-bucket", "mode": "Server-to-server"}, True)
    assert [op["path"] for op in listed] == ["/params/path", "/params/fileType"]


def test_base_change_sends_whole_object_with_current_non_secrets():
    ops = base_operations(BASE, S3_SPEC, {"s3AccessKey": NEW_KEY, "s3SecretKey": "s" * 40}, "on_change")
    # authorizedDate is declared by no authSpec, but it is the connection's: rotation keeps it (issue 11 item 10).
    assert ops == [{"op": "replace", "path": "/auth/params", "value": {
        "s3AccessKey": NEW_KEY, "s3SecretKey": "s" * 40, "authorizedDate": "2024-01-01"}}]


def test_base_change_without_secret_fails_and_names_it():
    with pytest.raises(ConvergeError) as info:
        base_operations(BASE, S3_SPEC, {"s3AccessKey": NEW_KEY}, "always")
    assert "s3SecretKey" in str(info.value)
    assert "nothing was written" in str(info.value)


def test_base_update_secrets_modes():
    same_key = {"s3AccessKey": BASE["auth"]["params"]["s3AccessKey"], "s3SecretKey": "s" * 40}
    assert base_operations(BASE, S3_SPEC, same_key, "on_change") == []
    assert len(base_operations(BASE, S3_SPEC, same_key, "always")) == 1
    # No secret given and nothing comparable differs: nothing to do, and no need for the secret.
    assert base_operations(BASE, S3_SPEC, {"s3AccessKey": same_key["s3AccessKey"]}, "always") == []


def test_base_unknown_key_names_valid_ones():
    with pytest.raises(ConvergeError) as info:
        base_operations(BASE, S3_SPEC, {"accessId": "x", "secretKey": "y"}, "always")
    assert "accessId is not a parameter" in str(info.value)
    assert "s3AccessKey, s3SecretKey" in str(info.value)


def test_masking_of_connections_and_operations():
    conn = {"auth": {"params": {"s3AccessKey": "A", "s3SecretKey": "real-secret"}}}
    assert mask_connection(conn, {"s3SecretKey"})["auth"]["params"] == {"s3AccessKey": "A", "s3SecretKey": MASK}
    assert conn["auth"]["params"]["s3SecretKey"] == "real-secret"
    ops = [{"op": "replace", "path": "/auth/params", "value": {"s3AccessKey": "A", "s3SecretKey": "real-secret"}},
           {"op": "add", "path": "/auth/params/s3SecretKey", "value": "real-secret"}]
    assert "real-secret" not in repr(mask_operations(ops, {"s3SecretKey"}))


def test_secret_fields_and_base_ids():
    assert secret_fields(S3_SPEC["authSpec"][0]["spec"]) == ["s3SecretKey"]
    flow = {"inheritedAttributes": {"targetConnections": [
        {"id": "t1", "baseConnection": {"id": "b1"}}, {"id": "t2", "baseConnection": {"id": "b1"}},
        {"id": "t3", "baseConnection": {"id": "b2"}}]}}
    assert base_connection_ids(flow) == ["b1", "b2"]
    assert base_connection_ids({}) == []


def test_schema_without_properties_accepts_anything():
    errors = []
    assert check_object({"anything": 1}, {}, "", errors) == {"anything": 1}
    assert not errors
