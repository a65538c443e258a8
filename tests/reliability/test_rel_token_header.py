"""Issue 12 item 9: a token with CR/LF (from IMS or from the token cache) no longer crashes the module and prints it.

``requests`` refuses a header value with a line break by raising InvalidHeader, whose text quotes the value:
the module died with a traceback that held the token. Tokens are now checked against the header rules before
use (a bad cached one is replaced by a new token; a bad minted one fails cleanly), and every other
``requests`` exception becomes a clean error naming only its type.
"""

from __future__ import annotations

import json

import pytest
from ansible_collections.aep.flow_service.plugins.modules import aep_flow_info, aep_target_connection

import relkit
from relkit import FLOW, TARGET

# A token-shaped value nobody else uses: if any of it shows up, the bad token leaked.
MARKER = "relTokenHeaderMarker0123456789"
BAD_TOKENS = {
    "crlf": MARKER + "\r\nX-Injected: 1",
    "lf": MARKER + "\nX-Injected: 1",
    "space": MARKER + " trailing",
    "non-ascii": MARKER + "\u00e9",
}


def bad_ims_answer(emu, token, count=1):
    emu.add_fault(method="POST", path="/ims/token", kind="status", status=200, count=count,
                  body={"access_token": token, "token_type": "bearer", "expires_in": 86399})


def crashed(text, result):
    return "Traceback (most recent call last)" in text or "module_stderr" in result or "MODULE FAILURE" in text


@pytest.mark.parametrize("name", sorted(BAD_TOKENS))
def test_a_minted_token_that_is_not_a_header_value_fails_cleanly(emulator, run_module, name):
    bad_ims_answer(emulator, BAD_TOKENS[name])
    run = run_module(aep_target_connection.main, {"flow_id": FLOW, "params": {"path": "x"}},
                     scenario="IMS token with %s" % name)
    clean = run.failed and not crashed(run.text, run.result) and MARKER not in run.text
    relkit.record("bad_input", case="IMS token with %s" % name, layer="module in-process", clean=clean, writes=0)
    assert run.failed and "cannot be sent as an HTTP header" in run.msg
    assert MARKER not in run.text and "X-Injected" not in run.text
    assert not crashed(run.text, run.result)
    assert [r for r in emulator.requests() if "/flowservice/" in r["path"]] == []  # never sent


@pytest.mark.parametrize("name", sorted(BAD_TOKENS))
def test_a_cached_token_that_is_not_a_header_value_is_replaced(emulator, run_module, tmp_path, name):
    first = run_module(aep_flow_info.main, {"id": FLOW, "token_cache": True}, scenario="fill the token cache")
    assert not first.failed, first.result
    (cached,) = (tmp_path / "cache" / "aep.flow_service").glob("token-*.json")
    data = json.loads(cached.read_text(encoding="utf-8"))
    cached.write_text(json.dumps(dict(data, access_token=BAD_TOKENS[name])), encoding="utf-8")
    emulator.clear_requests()
    run = run_module(aep_target_connection.main, {"flow_id": FLOW, "params": {"path": "after/cache"}, "token_cache": True},
                     scenario="cached token with %s" % name)
    relkit.record("bad_input", case="cached token with %s" % name, layer="module in-process",
                  clean=not run.failed and MARKER not in run.text, writes=1)
    assert not run.failed, run.result
    assert run.result["changed"] is True
    assert MARKER not in run.text
    assert len(emulator.requests(path_contains="/ims/token")) == 1  # one new token replaced the bad one
    assert MARKER not in cached.read_text(encoding="utf-8")
    assert emulator.resource("targetConnections", TARGET)["params"]["path"] == "after/cache"


def test_a_crlf_token_through_ansible_playbook_fails_cleanly_at_vvv(emulator, play):
    bad_ims_answer(emulator, BAD_TOKENS["crlf"], count=5)
    run = play("flow_info.yml", extra_vars={"module_args": {"id": FLOW}}, scenario="IMS token with crlf (-vvv)")
    result = run.task("Look up dataflows")
    clean = run.rc != 0 and result["status"] == "failed" and MARKER not in run.output + run.log \
        and "Traceback (most recent" not in run.output and "MODULE FAILURE" not in run.output
    relkit.record("bad_input", case="IMS token with crlf", layer="ansible-playbook", clean=clean, writes=0)
    assert run.rc != 0 and result["status"] == "failed"
    assert "cannot be sent as an HTTP header" in str(result["result"].get("msg"))
    assert MARKER not in run.output and MARKER not in run.log
    assert "Traceback (most recent" not in run.output and "MODULE FAILURE" not in run.output
