"""The patch builder: applying its operations to the current object yields the desired one."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.aep.flow_service.plugins.module_utils._patch import (
    PatchError,
    apply_patch,
    build_patch,
    escape,
    same,
    unescape,
)

keys = st.text(min_size=0, max_size=6)  # includes '', '/', '~', '~1' and unicode
scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=12)
objects = st.dictionaries(keys, values, max_size=6)


@settings(max_examples=300, deadline=None)
@given(current=objects, desired=objects)
def test_purge_yields_exactly_desired(current, desired):
    ops = build_patch(current, desired, "/params", purge=True)
    result = apply_patch({"params": current, "other": 1}, ops)
    assert same(result["params"], desired)
    assert result["other"] == 1


@settings(max_examples=300, deadline=None)
@given(current=objects, desired=objects)
def test_without_purge_unlisted_keys_survive(current, desired):
    ops = build_patch(current, desired, "/params")
    result = apply_patch({"params": current}, ops)["params"]
    assert same(result, deep_merge(current, desired))
    assert all(op["op"] != "remove" for op in ops)


def deep_merge(current, desired):
    """What the merge promises: objects on both sides merge key by key, at every level; anything else is replaced."""
    merged = dict(current)
    for key, value in desired.items():
        both = isinstance(merged.get(key), dict) and isinstance(value, dict)
        merged[key] = deep_merge(merged[key], value) if both else value
    return merged


def test_nested_objects_merge_key_by_key():
    current = {"csvOptions": {"delimiter": ",", "quote": '"', "escape": "\\", "nullValue": "null", "emptyValue": ""}}
    ops = build_patch(current, {"csvOptions": {"delimiter": ";"}}, "/params")
    assert ops == [{"op": "replace", "path": "/params/csvOptions/delimiter", "value": ";"}]
    assert apply_patch({"params": current}, ops)["params"]["csvOptions"] == dict(current["csvOptions"], delimiter=";")
    purged = build_patch(current, {"csvOptions": {"delimiter": ";"}}, "/params", purge=True)
    assert [op["path"] for op in purged if op["op"] == "remove"] == [
        "/params/csvOptions/quote", "/params/csvOptions/escape", "/params/csvOptions/nullValue",
        "/params/csvOptions/emptyValue"]
    assert apply_patch({"params": current}, purged)["params"] == {"csvOptions": {"delimiter": ";"}}


@settings(max_examples=200, deadline=None)
@given(current=objects)
def test_no_operation_when_nothing_differs(current):
    assert build_patch(current, current, "/params", purge=True) == []
    subset = dict(list(current.items())[: len(current) // 2])
    assert build_patch(current, subset, "/params") == []


@given(key=keys)
def test_pointer_escape_round_trips(key):
    assert unescape(escape(key)) == key
    assert "/" not in escape(key)


def test_operations_per_key_and_kind():
    current = {"bucketName": "old", "path": "p", "csvOptions": {"delimiter": ",", "quote": '"'}, "gone": 1}
    desired = {"bucketName": "new", "path": "p", "csvOptions": {"delimiter": ";", "quote": '"'}, "fresh": True}
    ops = build_patch(current, desired, "/params", purge=True)
    assert ops == [
        {"op": "replace", "path": "/params/bucketName", "value": "new"},
        {"op": "replace", "path": "/params/csvOptions/delimiter", "value": ";"},
        {"op": "add", "path": "/params/fresh", "value": True},
        {"op": "remove", "path": "/params/gone", "value": 1},
    ]


def test_keys_with_slash_and_tilde_are_escaped():
    ops = build_patch({}, {"a/b": 1, "c~d": 2}, "/params")
    assert [op["path"] for op in ops] == ["/params/a~1b", "/params/c~0d"]
    assert apply_patch({"params": {}}, ops) == {"params": {"a/b": 1, "c~d": 2}}


@pytest.mark.parametrize("a, b, equal", [
    (True, 1, False), (1, 1.0, True), ("1", 1, False), (None, None, True), ({"a": [1]}, {"a": [1]}, True),
    ({"a": 1}, {"a": 1, "b": None}, False), ([1, 2], [2, 1], False), (False, 0, False),
])
def test_same_keeps_json_types_apart(a, b, equal):
    assert same(a, b) is equal


def test_none_value_is_a_real_value():
    ops = build_patch({"x": 1}, {"x": None}, "/params")
    assert ops == [{"op": "replace", "path": "/params/x", "value": None}]


@pytest.mark.parametrize("doc, ops, expected", [
    ({"l": [1, 2]}, [{"op": "add", "path": "/l/-", "value": 3}], {"l": [1, 2, 3]}),
    ({"l": [1, 2]}, [{"op": "add", "path": "/l/0", "value": 0}], {"l": [0, 1, 2]}),
    ({"l": [1, 2]}, [{"op": "REMOVE", "path": "/l/1"}], {"l": [1]}),
    ({"a": {"b": 1}}, [{"op": "Replace", "path": "/a/b", "value": 2}], {"a": {"b": 2}}),
])
def test_apply_patch_lists_and_case(doc, ops, expected):
    assert apply_patch(doc, ops) == expected


@pytest.mark.parametrize("ops", [
    [{"op": "move", "path": "/a", "from": "/b"}],
    [{"op": "replace", "path": "/missing", "value": 1}],
    [{"op": "remove", "path": "/a/b/c"}],
    [{"op": "add", "path": "/l/5", "value": 1}],
    [{"op": "add", "path": "no-slash", "value": 1}],
])
def test_apply_patch_rejects_bad_operations(ops):
    with pytest.raises(PatchError):
        apply_patch({"a": 1, "l": []}, ops)


def test_apply_patch_does_not_touch_its_input():
    doc = {"params": {"a": {"b": 1}}}
    apply_patch(doc, [{"op": "replace", "path": "/params/a/b", "value": 2}])
    assert doc == {"params": {"a": {"b": 1}}}
