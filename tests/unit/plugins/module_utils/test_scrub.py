"""Linear-time scrubbing (issue 17 item 2): exactly what Ansible's own no_log scrubbing gives, without its cost.

Every comparison is against Ansible itself: ``remove_values(value, values)`` with every value for _scrub, and a
plain AnsibleModule built from the same arguments for AepModule's result, failure and log lines.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import traceback

import pytest
from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.common.parameters import PASS_VARS, remove_values
from ansible.module_utils.testing import patch_module_args
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.aep.flow_service.plugins.module_utils import _module, _scrub
from ansible_collections.aep.flow_service.plugins.module_utils._module import AepModule
from ansible_collections.aep.flow_service.plugins.module_utils._options import connection_argument_spec
from ansible_collections.aep.flow_service.plugins.module_utils._redact import Redactor
from ansible_collections.aep.flow_service.plugins.module_utils._scrub import GRAM, SMALL, Finder, NoLogValues

from harness import DEMO_CLIENT_SECRET  # tests/conftest.py puts the emulator folder on sys.path


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


def test_an_index_built_again_files_only_the_new_values_and_ignores_those_gone():
    first = {"kept-secret-value-%02d" % n for n in range(12)} | {"gone-secret-value"}
    values = {"kept-secret-value-%02d" % n for n in range(12)} | {"new-secret-value"}  # a token minted meanwhile
    later = NoLogValues(values, NoLogValues(first).finder)
    text = " ".join(sorted(first | values))
    assert later.scrub_text(text) == remove_values(text, values)
    assert remove_values(later.scrubbed([text, "gone-secret-value"]), []) == remove_values([text, "gone-secret-value"], values)


def test_the_finder_finds_strings_sharing_their_windows():
    # a thousand strings that differ in one place: their windows are crowded, so most are looked up by length
    strings = {"shared-prefix-%04d-shared-suffix" % n for n in range(1000)} | {"ab", "abc", "b" * 30}
    text = "x".join(sorted(strings)[::7]) + "abcb" + "b" * 40
    finder = Finder(strings)
    assert sorted(finder.occurrences(text)) == sorted(
        (i, s) for s in strings for i in range(len(text)) if text.startswith(s, i))


def test_the_redactor_adds_one_secret_at_a_time_and_masks_every_form():
    redactor = Redactor()
    for n in range(500):
        redactor.add("secret/%04d+value" % n)
    assert redactor.redact("a secret%2F0042%2Bvalue and secret/0499+value, secret/9999") == \
        "a ******** and ********, secret/9999"
    redactor.add("added/after+a-redact")
    assert redactor.redact("added%2Fafter%2Ba-redact") == "********"
    starred = Redactor(["a*b"])
    assert starred.redact("a*b and a%2Ab") == "******** and ********"


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


# --- AepModule against a plain AnsibleModule ---------------------------------------------------------------------

# The emulator's documented demo credentials (tests/emulator/README.md): "demo" stands inside two of them.
KEY, SECRET, CLIENT_SECRET = "DEMOACCESSKEYFORAEP2", "demoSecretKeyForTheEmulatorOnly/NotReal1", DEMO_CLIENT_SECRET
SPEC = dict(
    items=dict(type="list", elements="dict", options=dict(
        id=dict(type="str"), label=dict(type="str"), auth_params=dict(type="dict", no_log=True))),
    note=dict(type="str"), count=dict(type="int"), ratio=dict(type="float"), password_hint=dict(type="str"),
)
ARGS = dict(
    client_id="client", client_secret=CLIENT_SECRET, org_id="0123456789ABCDEF01234567@AdobeOrg",
    platform_url="http://127.0.0.1:1", ims_url="http://127.0.0.1:1", count=91234, ratio=11.5,
    password_hint="the key is " + KEY, note="rotates %s with %s; clé-secrète" % (KEY, CLIENT_SECRET),
    items=[{"id": "b1", "label": "rotates " + KEY, "auth_params": {
        "s3AccessKey": KEY, "s3SecretKey": SECRET, "pin": 1234, "ratio": 1.5, "star": "a*b", "word": "clé-secrète",
        "part": "demo", "span": "demo Invoked"}}]
    + [{"id": "b%d" % n, "auth_params": {"s3AccessKey": "KEY%017d" % n, "s3SecretKey": "S" * 20 + "%020d" % n}}
       for n in range(2, 40)],
    _ansible_target_log_info="via demo",  # the log line starts "via demo Invoked with": "span" is across the join
)
if "inject_invocation" in PASS_VARS:  # ansible-core 2.21 shows the invocation only when asked to
    ARGS["_ansible_inject_invocation"] = True
ALL_SECRETS = [KEY, SECRET, CLIENT_SECRET, "clé-secrète", "S" * 20 + "%020d" % 7]


def outcome(kind, act, args=None, log=None):
    """(result printed, lines logged) of ``kind`` (AepModule, or AnsibleModule with the same options) built from
    ``args`` (ARGS), then ``act(module)``; ``log`` stands in for syslog (which records the lines by default)."""
    lines, printed = [], io.StringIO()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(basic, "has_journal", False)
        monkeypatch.setattr(AnsibleModule, "_log_to_syslog", log or (lambda module, msg: lines.append(msg)))
        monkeypatch.setattr(ansible_warnings, "_global_warnings", {})
        monkeypatch.setattr(ansible_warnings, "_global_deprecations", {})
        with patch_module_args(args or ARGS), contextlib.redirect_stdout(printed), pytest.raises(SystemExit):
            module = AepModule(argument_spec=SPEC) if kind is AepModule else AnsibleModule(
                argument_spec=dict(connection_argument_spec(), **SPEC))
            act(module)
    return json.loads(printed.getvalue()), lines


def result_with_secrets(module):
    module.exit_json(changed=True, msg="rotated %s and 1234" % KEY, entries=[
        {"id": "b1", "key": KEY, "count": 41234, "ratio": 1.5, "patch": [{"value": {"s3SecretKey": SECRET}}]},
        {"id": "b2", "text": "a*b a*b", "none": None, "tuple": (KEY, "x")}], ok=True)


def failure_with_a_traceback(module):
    try:
        raise ValueError("the server said: bad key " + KEY)
    except ValueError:
        module.fail_json(msg="failed for " + SECRET, exception=traceback.format_exc())


def failure_with_the_old_keys(module):
    module.warn("a warning quoting " + KEY)
    module.fail_json(msg="failed", warnings=["given " + KEY], path="/nonexistent/" + KEY)


@pytest.mark.parametrize("act", [result_with_secrets, failure_with_a_traceback, failure_with_the_old_keys,
                                 lambda module: module.fail_json(msg="plain failure %s" % CLIENT_SECRET)])
def test_results_failures_and_log_lines_are_ansibles(act):
    ours, our_lines = outcome(AepModule, act)
    theirs, their_lines = outcome(AnsibleModule, act)
    assert ours == theirs
    assert our_lines == their_lines and len(our_lines) == 1  # "Invoked with ..."
    # Ansible never scrubs warnings (objects, not text, to its remove_values): a module must not quote a secret there
    shown = json.dumps({k: v for k, v in ours.items() if k not in ("warnings", "deprecations")}, ensure_ascii=False)
    assert [secret for secret in ALL_SECRETS if secret in shown + "".join(our_lines)] == []


def test_a_batch_log_line_holding_many_values_is_ansibles(monkeypatch):
    """Without values holding "*", the text of ``items`` (78 values) is masked piece by piece."""
    pieces = []
    runs = _scrub.runs

    def counted(spans):
        pieces.append(len(spans))
        return runs(spans)

    monkeypatch.setattr(_scrub, "runs", counted)
    args = dict(ARGS, items=ARGS["items"][1:])

    def act(module):
        module.exit_json(msg="done")

    ours, our_lines = outcome(AepModule, act, args)
    assert pieces and pieces[0] >= 2 * 38
    assert (ours, our_lines) == outcome(AnsibleModule, act, args)


def test_the_values_come_back_after_each_narrowing():
    seen = []

    def act(module):
        everything = module.no_log_values
        module.log("a line with " + KEY)  # also shows that the line's prefix (target_log_info) is scrubbed with it
        seen.append(module.no_log_values is everything and SECRET in everything and len(everything) > 2 * 39)
        module.exit_json(msg=KEY)

    ours, our_lines = outcome(AepModule, act)
    theirs, their_lines = outcome(AnsibleModule, act)
    assert seen == [True, True] and (ours, our_lines) == (theirs, their_lines)
    assert our_lines[1] == "via ******** a line with ********"


def test_failing_while_logging_scrubs_with_every_value():
    """A syslog error fails the module from inside log(), while only the line's values stand in."""

    def syslog_fails(module, msg):
        module.fail_json(msg="Failed to log to syslog", msg_to_log=msg)

    ours, dummy = outcome(AepModule, lambda module: module.exit_json(), log=syslog_fails)
    theirs, dummy = outcome(AnsibleModule, lambda module: module.exit_json(), log=syslog_fails)
    assert ours == theirs
    assert [secret for secret in ALL_SECRETS if secret in json.dumps(ours, ensure_ascii=False)] == []


def test_with_few_values_ansibles_own_path_is_taken(monkeypatch):
    built = []
    monkeypatch.setattr(_module, "NoLogValues", lambda *args: built.append(args))
    args = dict(ARGS, items=ARGS["items"][:1])  # 11 values with the client secret
    assert outcome(AepModule, result_with_secrets, args) == outcome(AnsibleModule, result_with_secrets, args)
    assert built == []


def test_without_its_helper_ansibles_own_path_is_kept(monkeypatch):
    monkeypatch.setattr(_module, "FAST", False)
    ours, our_lines = outcome(AepModule, result_with_secrets)
    theirs, their_lines = outcome(AnsibleModule, result_with_secrets)
    assert (ours, our_lines) == (theirs, their_lines)


@settings(max_examples=25, deadline=None)
@given(secrets=st.lists(st.text(alphabet="ab*é", min_size=1, max_size=8), min_size=1, max_size=12),
       note=st.text(alphabet="ab*é ", max_size=40))
def test_generated_arguments_give_ansibles_result_and_log(secrets, note):
    generated = [{"id": "g%d" % n, "auth_params": {"v": secret}} for n, secret in enumerate(secrets)]
    args = dict(ARGS, note=note, items=ARGS["items"][1:] + generated)  # more than FEW values: AepModule's own way

    def act(module):
        module.exit_json(msg=note, secrets=secrets)

    assert outcome(AepModule, act, args) == outcome(AnsibleModule, act, args)
