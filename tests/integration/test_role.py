"""The destination_connections role, run with real ansible-playbook against the emulator.

Each claim is checked on the emulator's side: its stored objects (secrets in clear through the control API)
and its request log (which writes, with which If-Match). Every secret the emulator holds or the tests send,
the client secret and every token must stay out of the output, -vvv included.
"""

from __future__ import annotations

import pytest

from playhelpers import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_ORG, writes
from rolekit import (
    AZURE_FLOW, AZURE_TARGET, BASE, DEV_FLOW, DEV_TARGET, FLOW, NEW, PINTEREST_FLOW, PINTEREST_TARGET, S3_KEYS, TARGET,
    assert_no_secret, auth, converge_task, params, patches, report_of, role_lines,
)

ROLE_LIST = [
    {"label": "S3 winter", "flow_id": FLOW, "params": {"bucketName": "acme-exports-2026", "path": "audiences/winter"},
     "auth_params": S3_KEYS, "update_secrets": "on_change"},
    {"label": "Azure daily", "flow_id": AZURE_FLOW, "params": {"container": "acme-exports-2026"},
     "name": "Azure Blob target (2026)"},
    {"target_connection_id": PINTEREST_TARGET, "params": {"advertiser_id": "1234567890"}},
    {"label": "dev copy", "flow_id": DEV_FLOW, "sandbox": "dev", "params": {"path": "dev/exports-2026"}},
]


def test_role_converges_every_destination_once_then_rerun_is_all_ok(emulator, play):
    before = {rid: emulator.resource(c, rid, sb) for c, rid, sb in [
        ("targetConnections", TARGET, "prod"), ("connections", BASE, "prod"),
        ("targetConnections", AZURE_TARGET, "prod"), ("targetConnections", PINTEREST_TARGET, "prod"),
        ("targetConnections", DEV_TARGET, "dev")]}

    first = play("role_converge.yml", extra_vars={"destinations": ROLE_LIST})
    assert first.rc == 0, first.output
    assert [e["status"] for e in report_of(first)] == ["changed"] * 4
    # Stored state: what was listed changed, nothing else did.
    assert params(emulator) == dict(before[TARGET]["params"], bucketName="acme-exports-2026", path="audiences/winter")
    assert auth(emulator)["s3AccessKey"] == S3_KEYS["s3AccessKey"]
    assert auth(emulator)["s3SecretKey"] == S3_KEYS["s3SecretKey"]
    azure = emulator.resource("targetConnections", AZURE_TARGET)
    assert azure["params"] == dict(before[AZURE_TARGET]["params"], container="acme-exports-2026")
    assert azure["name"] == "Azure Blob target (2026)"
    assert params(emulator, PINTEREST_TARGET) == {"advertiser_id": "1234567890"}
    assert params(emulator, DEV_TARGET, "dev") == dict(before[DEV_TARGET]["params"], path="dev/exports-2026")
    # One PATCH per connection, each with the etag read just before.
    sent = patches(emulator)
    assert sorted(r["path"].rsplit("/", 1)[1] for r in sent) == sorted(
        [TARGET, BASE, AZURE_TARGET, PINTEREST_TARGET, DEV_TARGET])
    for request in sent:
        assert request["if_match"] == before[request["path"].rsplit("/", 1)[1]]["etag"]
    # The report names each connection and what was sent; credentials by name only.
    s3 = report_of(first)[0]
    assert s3["target_connection"]["id"] == TARGET and s3["base_connection"]["id"] == BASE
    assert s3["base_connection"]["patch"][0]["value"]["s3SecretKey"] == "********"
    # The access key id going in is named by its last four characters (no_log masks the whole value).
    assert "replace /auth/params (authorizedDate, s3AccessKey ending in SKEY, s3SecretKey)" in s3["summary"]
    assert 'replace /params/bucketName = "acme-exports-2026"' in s3["summary"]

    emulator.clear_requests()
    second = play("role_converge.yml", extra_vars={"destinations": ROLE_LIST}, verbose=3)
    assert second.rc == 0, second.output
    assert [e["status"] for e in report_of(second)] == ["ok"] * 4
    assert writes(emulator) == []
    assert all(line.split(": ", 1)[1].startswith("ok - ") for line in role_lines(second))
    assert not [r for r in second.results if r["status"] == "changed"]
    assert_no_secret(first)
    assert_no_secret(second)


def test_role_check_mode_writes_nothing_and_predicts_the_report_and_diff(emulator, play):
    before = emulator.resource("targetConnections", TARGET)
    run = play("role_converge.yml", extra_vars={"destinations": ROLE_LIST}, check=True, diff=True, verbose=3)
    assert run.rc == 0, run.output
    assert writes(emulator) == []
    assert emulator.resource("targetConnections", TARGET) == before
    report = report_of(run)
    assert [e["status"] for e in report] == ["changed"] * 4
    assert all(": WOULD CHANGE - " in e["summary"] for e in report)
    assert report[0]["target_connection"]["patch"] == [
        {"op": "replace", "path": "/params/bucketName", "value": "acme-exports-2026"},
        {"op": "replace", "path": "/params/path", "value": "audiences/winter"}]
    diffs = {d["before_header"]: d for d in converge_task(run)["result"]["diff"]}
    diff = diffs["S3 winter: target connection " + TARGET]
    assert diff["before"]["params"]["bucketName"] == before["params"]["bucketName"]
    assert diff["after"]["params"]["bucketName"] == "acme-exports-2026"
    assert diffs["S3 winter: base connection " + BASE]["after"]["auth"]["params"]["s3SecretKey"] == "******** (new value)"
    assert len(diffs) == 5
    assert_no_secret(run)


@pytest.mark.parametrize("destinations, words", [
    pytest.param([  # the module's check of the items reports every problem of every item at once, by item
        {"flow_id": FLOW, "parms": {"path": "x"}},
        {"flow_id": FLOW, "params": ["path", "x"]},
        {"flow_id": FLOW, "params": {"path": "x"}, "purge_params": "maybe"},
        {"params": {"path": "x"}},
        {"flow_id": FLOW, "update_secrets": "sometimes", "auth_params": S3_KEYS},
    ], ["destination 1 (%s): unknown key parms; the keys are: allow_undeclared_auth_params, allow_undeclared_params, auth_params, " % FLOW,
        "destination 2 (%s): argument 'params' is of type" % FLOW,
        "destination 3 (%s): argument 'purge_params' is of type" % FLOW,
        "destination 4: one of the following is required: flow_id, target_connection_id",
        "destination 5 (%s): value of update_secrets must be one of: always, on_change" % FLOW], id="argument-spec"),
    pytest.param([  # then the checks that span several keys of an item, also all at once
        {"base_connection_id": BASE, "params": {"path": "x"}},
        {"label": "keys", "target_connection_id": TARGET, "auth_params": S3_KEYS},
        {"flow_id": FLOW},
    ], ["destination 1 (%s): params, name and description change the target connection; set flow_id or "
        "target_connection_id" % BASE, "destination 2 (keys): auth_params, base_name and base_description change "
        "the base connection; set flow_id or base_connection_id", "destination 3 (%s): nothing to change" % FLOW],
        id="cross-field-checks"),
])
def test_role_rejects_bad_input_before_any_request(emulator, play, destinations, words):
    run = play("role_converge.yml", extra_vars={"destinations": destinations}, verbose=3)
    assert run.rc != 0
    for word in words:
        assert word in run.output, (word, run.output[-3000:])
    assert emulator.requests() == []  # not even a token
    assert_no_secret(run)


def test_role_tries_every_destination_then_fails_with_clear_masked_messages(emulator, play):
    secret_before = auth(emulator)["s3SecretKey"]
    destinations = [
        {"label": "tutorial names", "flow_id": FLOW,  # the tutorial's own example names: not the spec's
         "auth_params": {"accessId": NEW["vault_s3_access_key"], "secretKey": NEW["vault_s3_secret_key"]}},
        {"label": "missing secret", "flow_id": FLOW, "auth_params": {"s3AccessKey": NEW["vault_s3_access_key"]}},
        {"label": "no such flow", "flow_id": "00000000-0000-4000-8000-00000000dead", "params": {"path": "x"}},
        {"label": "pinterest", "flow_id": PINTEREST_FLOW, "params": {"advertiser_id": "1234567890"}},
    ]
    run = play("role_converge.yml", extra_vars={"destinations": destinations}, verbose=3)
    assert run.rc != 0
    report = report_of(run)
    assert [e["status"] for e in report] == ["failed", "failed", "failed", "changed"]
    assert [e["failed_step"] for e in report] == ["base", "base", "target", None]
    assert "accessId is not a parameter" in report[0]["error"] and "s3AccessKey, s3SecretKey" in report[0]["error"]
    assert "must include the secret s3SecretKey" in report[1]["error"]
    assert "was not found in sandbox prod" in report[2]["error"]
    # The destination after the failures was still converged, and nothing was written for the failed ones.
    assert params(emulator, PINTEREST_TARGET) == {"advertiser_id": "1234567890"}
    assert [r["path"] for r in patches(emulator)] == ["/data/foundation/flowservice/targetConnections/"
                                                      + PINTEREST_TARGET]
    assert auth(emulator)["s3SecretKey"] == secret_before
    final = converge_task(run)["result"]["msg"]
    assert final.startswith("3 of 4 destinations failed: tutorial names: FAILED - base connection: ")
    assert_no_secret(run)


@pytest.mark.parametrize("extra_vars", [
    pytest.param({"destination_connections_client_id": DEMO_CLIENT_ID,
                  "destination_connections_client_secret": DEMO_CLIENT_SECRET,
                  "destination_connections_org_id": DEMO_ORG}, id="role-variables"),
    pytest.param({"defaults_client_id": DEMO_CLIENT_ID, "defaults_client_secret": DEMO_CLIENT_SECRET,
                  "defaults_org_id": DEMO_ORG, "defaults_sandbox": "dev", "destination_connections_sandbox": "prod"},
                 id="module-defaults-and-a-role-variable-over-them"),
])
def test_role_takes_connection_options_from_role_variables_or_module_defaults(emulator, play, extra_vars):
    env = {name: None for name in ("AEP_CLIENT_ID", "AEP_CLIENT_SECRET", "AEP_ORG_ID", "AEP_SANDBOX_NAME")}
    destinations = [{"flow_id": FLOW, "params": {"path": "from/play/options"}}]
    run = play("role_connection_options.yml", extra_vars=dict(extra_vars, destinations=destinations), env=env,
               verbose=3)
    assert run.rc == 0, run.output
    assert params(emulator)["path"] == "from/play/options"
    assert {r["sandbox"] for r in emulator.requests() if "/ims/" not in r["path"]} == {"prod"}
    assert_no_secret(run)
