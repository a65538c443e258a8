"""The connection-spec checker on Adobe's six published cloud-storage specs (as the emulator serves them).

The checker is ours, not ``jsonschema`` (see _schema.py for why); ``test_same_verdict_as_jsonschema`` holds it to
``jsonschema``'s verdict on every keyword both know, over values drawn from the published specs.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.aep.flow_service.plugins.module_utils._connections import (
    KNOWN_UNDECLARED_TARGET_PARAMS,
    UNDECLARED_TARGET_OPTION,
    base_operations,
    removed_params,
    target_operations,
)
from ansible_collections.aep.flow_service.plugins.module_utils._converge import ConvergeError
from ansible_collections.aep.flow_service.plugins.module_utils._schema import (
    Context,
    applies,
    check_object,
    check_value,
    missing_required,
)

jsonschema = pytest.importorskip("jsonschema")

DEMO_DATA = Path(__file__).resolve().parents[4] / "tests" / "emulator" / "demo_data.yaml"
PUBLISHED = {
    "amazon-s3": "4fce964d-3f37-408f-9778-e597338a21ee",
    "azure-blob": "6d6b59bf-fb58-4107-9064-4d246c0e5bb2",
    "adls-gen2": "be2c3209-53bc-47e7-ab25-145db8b873e1",
    "data-landing-zone": "10440537-2a7b-4583-ac39-ed38d4b848e8",
    "google-cloud-storage": "c5d93acb-ea8b-4b14-8f53-02138444ae99",
    "sftp": "36965a81-b1c6-401b-99f8-22508f1e6a26",
}
SPECS = {spec["id"]: spec for spec in yaml.safe_load(DEMO_DATA.read_text(encoding="utf-8"))["connectionSpecs"]}
S3 = SPECS[PUBLISHED["amazon-s3"]]
CSV = {"delimiter": ",", "quote": '"', "escape": "\\", "nullValue": "null", "emptyValue": ""}
S3_TARGET = {"id": "t", "params": {"mode": "Server-to-server", "bucketName": "acme-exports", "path": "exports/a",
                                   "fileType": "CSV", "compression": "NONE", "csvOptions": dict(CSV)}}
LOCATION = {"amazon-s3": {"bucketName": "acme-b", "path": "a/b"}, "azure-blob": {"container": "acme-c", "path": "a/b"},
            "adls-gen2": {"path": "a/b"}, "data-landing-zone": {"path": "a/b"},
            "google-cloud-storage": {"bucketName": "acme-g", "path": "a/b"}, "sftp": {"remotePath": "a/b"}}


def target_spec(name):
    return SPECS[PUBLISHED[name]]["targetSpec"]["spec"]


def errors_of(values, schema, context=None):
    errors = []
    check_object(values, schema, "", errors, context or Context(known=KNOWN_UNDECLARED_TARGET_PARAMS))
    return errors


# ------------------------------------------------------------------------------------- Adobe's examples

@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_documented_examples_pass_and_send_mode(name):
    """Adobe's requests send mode (undeclared) and no datasetFileType (required, but conditional): both fine."""
    for params in ({"mode": "Server-to-server", **LOCATION[name], "compression": "NONE", "fileType": "JSON"},
                   {"mode": "Server-to-server", **LOCATION[name], "compression": "GZIP", "fileType": "CSV",
                    "csvOptions": {"nullValue": "null", "emptyValue": "", "escape": "\\", "quote": "", "delimiter": ","}}):
        assert errors_of(params, target_spec(name)) == []
        # A plain Draft 7 validator refuses them all: datasetFileType is in 'required'.
        assert not jsonschema.Draft7Validator(target_spec(name)).is_valid(params)
        # Nothing required is missing once Adobe's conditional is read (datasetFileType: the flow spec decides).
        assert missing_required(None, params, target_spec(name), whole=True) == []


def test_mode_is_accepted_by_target_operations_on_the_published_spec():
    """The bug of issue 11: with the published S3 spec, mode was refused as 'not a parameter'."""
    fresh = {"id": "t", "params": {}}
    ops = target_operations(fresh, S3, {"mode": "Server-to-server", "bucketName": "acme-b", "path": "a",
                                        "fileType": "CSV", "compression": "GZIP"}, False)
    assert {"op": "add", "path": "/params/mode", "value": "Server-to-server"} in ops


def test_docs_azure_purge_example_works():
    azure = SPECS[PUBLISHED["azure-blob"]]
    current = {"id": "t", "params": {"mode": "Server-to-server", "container": "old-c", "path": "p", "fileType": "JSON",
                                     "compression": "NONE", "datasetFileType": "JSON"}}
    ops = target_operations(current, azure, {"mode": "Server-to-server", "container": "acme-exports",
                                             "path": "audiences", "fileType": "CSV", "compression": "GZIP"}, True)
    assert {"op": "remove", "path": "/params/datasetFileType", "value": "JSON"} in ops


# ------------------------------------------------------------------------------------- typos and open specs

@pytest.mark.parametrize("params, words", [
    ({"bucket": "x"}, ["bucket is not a parameter", "did you mean bucketName?", UNDECLARED_TARGET_OPTION]),
    ({"bucketname": "x"}, ["did you mean bucketName?"]),
    ({"csvOptions": {"delimeter": ";"}}, ["csvOptions.delimeter is not a parameter", "did you mean delimiter?",
                                          "'csvOptions.delimeter'"]),
    ({"fileType": "XML"}, ["fileType must be one of 'CSV', 'JSON', 'PARQUET', got 'XML'"]),
    ({"csvOptions": {"delimiter": "#"}}, ["csvOptions.delimiter must be one of ',' (Comma (,))", "got '#'"]),
    ({"compression": ["NONE"]}, ["compression must be of type string"]),
    ({"compression": 1}, ["compression must be one of 'NONE', 'GZIP', got '1'"]),  # coerced as Ansible would
])
def test_typos_and_bad_values_fail_with_a_hint(params, words):
    with pytest.raises(ConvergeError) as info:
        target_operations(S3_TARGET, S3, params, False)
    for word in words:
        assert word in str(info.value)


def test_keys_the_connection_already_holds_are_no_typo():
    current = copy.deepcopy(S3_TARGET)
    current["params"]["exportTimezone"] = "UTC"
    current["params"]["csvOptions"]["lineSep"] = "\n"
    ops = target_operations(current, S3, {"exportTimezone": "CET", "csvOptions": {"lineSep": "\r\n"}}, False)
    assert [op["path"] for op in ops] == ["/params/exportTimezone", "/params/csvOptions/lineSep"]


def test_allowed_on_purpose():
    ops = target_operations(S3_TARGET, S3, {"exportTimezone": "UTC", "csvOptions": {"lineSep": "\n"}}, False,
                            allow_undeclared=["exportTimezone", "csvOptions.lineSep"])
    assert [op["path"] for op in ops] == ["/params/exportTimezone", "/params/csvOptions/lineSep"]
    with pytest.raises(ConvergeError):  # a dotted path allows that nested key only
        target_operations(S3_TARGET, S3, {"lineSep": "\n"}, False, allow_undeclared=["csvOptions.lineSep"])


def test_closed_spec_refuses_even_allowed_keys():
    closed = {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False}
    errors = errors_of({"b": "x"}, closed, Context(allowed=["b"]))
    assert errors and "allows no other keys" in errors[0]


def test_additional_properties_as_a_schema():
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}}
    assert errors_of({"a": "x", "b": 1}, schema) == []
    assert "b must be of type integer" in errors_of({"b": "one"}, schema)[0]


# ------------------------------------------------------------------------------------- keywords

def test_any_all_one_of_and_const():
    schema = {"type": "object", "properties": {
        "any": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^x"}]},
        "all": {"allOf": [{"type": "string"}, {"minLength": 2}]},
        "one": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
        "const": {"const": True},
        "nested": {"type": "object", "properties": {"n": {"enum": [1, 2]}}, "required": ["n"]},
    }}
    assert errors_of({"any": "xy", "all": "ab", "one": 1.5, "const": True, "nested": {"n": 2}}, schema) == []
    problems = errors_of({"any": "y", "all": "a", "one": 1, "const": 1, "nested": {"n": 3}}, schema)
    assert len(problems) == 5, problems
    assert "one fits 2 of the oneOf alternatives" in " ".join(problems)


def test_secrets_are_never_quoted():
    schema = {"type": "object", "properties": {"k": {"type": "string", "format": "password", "enum": ["a"]}}}
    problems = errors_of({"k": "hunter2-secret"}, schema)
    assert problems and "hunter2" not in " ".join(problems)


@pytest.mark.parametrize("siblings, expected", [
    ({"fileType": "CSV"}, True), ({"fileType": "JSON"}, False), ({}, None)])
def test_conditional_on_a_sibling(siblings, expected):
    assert applies(target_spec("amazon-s3")["properties"]["csvOptions"], siblings) is expected


def test_conditional_on_the_flow_spec_cannot_be_told():
    assert applies(target_spec("amazon-s3")["properties"]["datasetFileType"], {"fileType": "CSV"}) is None


def test_required_is_checked_on_removal_and_whole_objects():
    spec = target_spec("amazon-s3")
    before = S3_TARGET["params"]
    after = {k: v for k, v in before.items() if k != "path"}
    assert missing_required(before, after, spec) == ["path"]
    assert missing_required({}, {}, spec) == []          # never there: not ours to demand
    # fileType and datasetFileType depend on the flow spec's workflow (conditional), which a connection cannot tell.
    assert sorted(missing_required(None, {}, spec, whole=True)) == ["bucketName", "compression", "path"]


# ------------------------------------------------------------------------------------- jsonschema parity

def strip(schema):
    """The schema without what only our checker reads: Adobe's conditional, and required (checked apart)."""
    if isinstance(schema, dict):
        return {k: strip(v) for k, v in schema.items() if k not in ("conditional", "required")}
    if isinstance(schema, list):
        return [strip(v) for v in schema]
    return schema


def property_values(prop):
    """Values drawn to hit every branch of a published property: its own constants, and things that miss them."""
    choices = [c["const"] for c in prop.get("oneOf") or []] + list(prop.get("enum") or [])
    drawn = st.sampled_from(choices) if choices else st.from_regex(prop["pattern"], fullmatch=True) \
        if prop.get("pattern") else st.text(max_size=6)
    return drawn | st.text(max_size=4) | st.integers(-3, 3) | st.booleans() | st.none()


def params_of(spec):
    props = {}
    for key, prop in spec["properties"].items():
        if prop.get("type") == "object":
            props[key] = st.fixed_dictionaries({}, optional={k: property_values(p) for k, p in prop["properties"].items()})
        else:
            props[key] = property_values(prop)
    return st.fixed_dictionaries({}, optional=props)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_same_verdict_as_jsonschema(name):
    spec = target_spec(name)
    validator = jsonschema.Draft7Validator(strip(spec))

    @settings(max_examples=150, deadline=None)
    @given(params=params_of(spec))
    def check(params):
        errors = []
        # No coercion in the comparison: jsonschema does not coerce, so values are compared as given.
        result = check_value(params, spec, "", errors, Context())
        if result == params:
            assert (errors == []) == validator.is_valid(params), (params, errors)

    check()


# ------------------------------------------------------------------------------------- purge_params safety

def test_purge_never_removes_a_required_param():
    with pytest.raises(ConvergeError) as info:
        target_operations(S3_TARGET, S3, {"mode": "Server-to-server", "bucketName": "acme-exports"}, True)
    assert "purge_params would remove path, compression" in str(info.value)
    assert "nothing was written" in str(info.value)


@pytest.mark.parametrize("params", [{}, None])
def test_purge_with_empty_params_is_refused(params):
    if params is None:  # no params: purge has nothing to work on and nothing is removed
        assert target_operations(S3_TARGET, S3, None, True, name="x") == [{"op": "add", "path": "/name", "value": "x"}]
        return
    with pytest.raises(ConvergeError) as info:
        target_operations(S3_TARGET, S3, params, True)
    assert "purge_params needs params" in str(info.value)


def test_removed_params_name_nested_keys():
    ops = target_operations(S3_TARGET, S3, dict(S3_TARGET["params"], csvOptions={"delimiter": ","}), True)
    assert removed_params(ops) == ["csvOptions.quote", "csvOptions.escape", "csvOptions.nullValue", "csvOptions.emptyValue"]


# ------------------------------------------------------------------------------------- rotation

def test_rotation_keeps_every_non_secret_auth_param_declared_or_not():
    current = {"id": "b", "auth": {"specName": "Access Key", "params": {
        "s3AccessKey": "AAAAAAAAAAAAAAAAAAAA", "s3SecretKey": "********", "authorizedDate": "2021-12-23", "region": "eu"}}}
    [op] = base_operations(current, S3, {"s3SecretKey": "s" * 40}, "always")
    assert op["value"] == {"s3AccessKey": "AAAAAAAAAAAAAAAAAAAA", "s3SecretKey": "s" * 40,
                           "authorizedDate": "2021-12-23", "region": "eu"}


def test_rotation_refuses_to_send_back_a_masked_undeclared_param():
    current = {"id": "b", "auth": {"specName": "Access Key", "params": {
        "s3AccessKey": "AAAAAAAAAAAAAAAAAAAA", "s3SecretKey": "********", "sessionToken": "********"}}}
    with pytest.raises(ConvergeError) as info:
        base_operations(current, S3, {"s3SecretKey": "s" * 40}, "always")
    assert "auth_params must include sessionToken" in str(info.value)
