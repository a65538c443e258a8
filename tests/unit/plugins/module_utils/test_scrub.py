"""Linear-time scrubbing (issue 17 item 2): exactly what Ansible's own no_log scrubbing gives, without its cost.

Every comparison is against Ansible itself: ``remove_values(value, values)`` with every value.
"""

from __future__ import annotations

import datetime

from ansible.module_utils.common.parameters import remove_values
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.aep.flow_service.plugins.module_utils._scrub import GRAM, SMALL, Finder, NoLogValues


def same(value, values):
    """Ansible's remove_values with every value; asserted equal to what AepModule hands Ansible's pass (the scrubbed
    result, and no value to try) and to what that pass makes of it."""
    expected = remove_values(value, values)
    assert remove_values(NoLogValues(values).scrubbed(value), []) == expected
    return expected


# --- hand-written edge cases -------------------------------------------------------------------------------------

def test_a_value_that_is_a_whole_string_is_specified_and_inside_one_is_masked():
    assert same({"a": "s3cret", "b": "my s3cret here", "c": ["s3cret"]}, {"s3cret"}) == {
        "a": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", "b": "my ******** here", "c": ["VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"]}


def test_values_inside_numbers():
    assert same({"i": 91234, "f": 11.5, "j": 7, "t": True, "n": None}, {"1234", "1.5"}) == {
        "i": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", "f": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", "j": 7, "t": True, "n": None}


def test_overlapping_values_and_values_inside_others():
    values = {"abc", "bcd", "cde", "secret", "secret-long", "long"}
    same(["abcde", "xbcdx", "a secret-long b", "long secret", "secretsecret-long"], values)


def test_values_with_stars_are_always_tried():
    # "a*" does not occur in "aa", but the mask written over "a" makes it; Ansible then masks it too.
    same(["aab", "b", "**", "a*", "xa*y"], {"b", "a*", "**"})
    same("za" * 20, {"a", "z*", "*a"})


def test_unicode_bytes_and_empty_values():
    same({"u": "clé-secrète ici", "b": b"bytes secret", "e": "", "k": "ok"}, {"clé-secrète", "secret", "\u5bc6"})
    same({"u": "x", "e": "", "l": ["", "y"]}, {""})  # "" is in every string: Ansible masks between every character
    same(["abc", "xbcx"], {b"bc", "zz"})  # a bytes value is tried as text


def test_keys_dates_tuples_sets_and_objects_as_ansible_has_them():
    when = datetime.datetime(2026, 1, 2, 3, 4, 5)
    value = {"s3cret": ("s3cret", 1), "d": when, "set": frozenset({"s3cret", "x"}), "w": [{"deep": ["a s3cret"]}]}
    assert same(value, {"s3cret"})["s3cret"] == ["VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", 1]  # keys are not scrubbed


def test_nothing_is_copied_where_nothing_is_masked():
    value = {"a": ["x", {"b": "y"}], "c": ["s3cret"]}
    scrubbed = NoLogValues({"s3cret"}).scrubbed(value)
    assert scrubbed["a"] is value["a"] and scrubbed["c"] == ["VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"]
    assert value["c"] == ["s3cret"]  # the caller's data is never changed


def test_one_long_text_holding_many_values_is_masked_piece_by_piece():
    values = {"key-%03d-secret" % n for n in range(40)} | {"y-0", "0-sec", "-secret"}
    text = " ".join("key-%03d-secret,key-%03d-secretkey-%03d" % (n, n, n) for n in range(40)) + " y-0-secret"
    assert len(NoLogValues(values).within(text)) > SMALL  # the piecewise path
    assert NoLogValues(values).scrub_text(text) == remove_values(text, values)
    assert NoLogValues(values).scrub_text("key-001-secret") == remove_values("key-001-secret", values)


def test_the_finder_finds_strings_sharing_their_windows():
    # a thousand strings that differ in one place: their windows are crowded, so most are looked up by length
    strings = {"shared-prefix-%04d-shared-suffix" % n for n in range(1000)} | {"ab", "abc", "b" * 30}
    text = "x".join(sorted(strings)[::7]) + "abcb" + "b" * 40
    finder = Finder(strings)
    assert sorted(finder.occurrences(text)) == sorted(
        (i, s) for s in strings for i in range(len(text)) if text.startswith(s, i))


# --- generated data ----------------------------------------------------------------------------------------------

# Few letters, so that values overlap, nest and repeat; "*" (masks are made of it) and a non-ASCII letter.
LETTERS = "ab*é"
value_texts = st.text(alphabet=LETTERS, max_size=12)
no_log_values = st.sets(st.one_of(value_texts, value_texts.map(str.encode), st.integers(0, 30).map(str)), max_size=10)
leaves = st.one_of(st.text(alphabet=LETTERS + "x ", max_size=30), st.binary(max_size=8), st.integers(-300, 3000),
                   st.floats(allow_nan=False, allow_infinity=False), st.none(), st.booleans())
data = st.recursive(leaves, lambda children: st.one_of(
    st.lists(children, max_size=4), st.tuples(children, children), st.frozensets(st.text(alphabet=LETTERS, max_size=6)),
    st.dictionaries(st.text(alphabet=LETTERS, max_size=3), children, max_size=4)), max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(value=data, values=no_log_values)
def test_generated_data_is_scrubbed_as_ansible_does(value, values):
    same(value, values)


# Many values, no "*": long texts made of them take the piecewise path.
many_values = st.sets(st.text(alphabet="abc", min_size=1, max_size=2 * GRAM + 4), min_size=SMALL + 1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(values=many_values, picks=st.lists(st.tuples(st.integers(0, 39), st.text(alphabet="abcx", max_size=3)), max_size=60))
def test_generated_long_texts_are_scrubbed_as_ansible_does(values, picks):
    ordered = sorted(values)
    text = "".join(ordered[index % len(ordered)] + filler for index, filler in picks)
    assert NoLogValues(values).scrub_text(text) == remove_values(text, values)
    assert Finder(values).found_in(text) == {value for value in values if value in text}
