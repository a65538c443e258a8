"""The destination_connections role, every playbook in playbooks/ and the AWX credential injection, run with
real ansible-playbook against the emulator.

Each claim is checked on the emulator's side: its stored objects (secrets in clear through the control API)
and its request log (which writes, with which If-Match). Every secret the emulator holds or the tests send,
the client secret and every token must stay out of the output, -vvv included.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from playhelpers import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_ORG, ROOT, playbook_env, writes

FLOW = "226fb2e1-db69-4760-b67e-9e671e05abfc"
TARGET = "8ce3dc63-3766-4220-9f61-51d2f8f14618"
BASE = "7fbf542b-83ed-498f-8838-8fde0c4d4d69"
AZURE_FLOW = "00000002-0000-4000-8000-000000000001"
AZURE_TARGET = "00000002-0000-4000-8000-000000000002"
AZURE_BASE = "00000002-0000-4000-8000-000000000003"
PINTEREST_FLOW = "00000003-0000-4000-8000-000000000001"
PINTEREST_TARGET = "00000003-0000-4000-8000-000000000002"
GAM_FLOW = "00000004-0000-4000-8000-000000000001"
GAM_TARGET = "00000004-0000-4000-8000-000000000002"
DEV_FLOW = "00000007-0000-4000-8000-000000000001"
DEV_TARGET = "00000007-0000-4000-8000-000000000002"
DEMO_TOKEN = "aep-demo-token"

# The new credentials the playbooks send: the demo vars file (fake values for the emulator).
NEW = yaml.safe_load((ROOT / "playbooks" / "vars" / "demo_credentials.yml").read_text(encoding="utf-8"))
EMULATOR_DATA = yaml.safe_load((ROOT / "tests" / "emulator" / "demo_data.yaml").read_text(encoding="utf-8"))
MINTED_TOKEN = re.compile(r"emu-[A-Za-z0-9_\-]{16,}")
HARNESS_AEP_VARIABLES = {"AEP_PLATFORM_URL", "AEP_IMS_URL", "AEP_CLIENT_ID", "AEP_CLIENT_SECRET", "AEP_ORG_ID",
                         "AEP_SANDBOX_NAME"}


def stored_secrets():
    """Every secret auth value in the emulator's demo data (the fields its specs mark format: password)."""
    specs = {spec["id"]: spec for spec in EMULATOR_DATA["connectionSpecs"]}
    values = []
    for sandbox in EMULATOR_DATA["resources"].values():
        for connection in sandbox.get("connections", []):
            auth = connection.get("auth") or {}
            for auth_spec in specs[connection["connectionSpec"]["id"]]["authSpec"]:
                if auth_spec["name"] == auth.get("specName"):
                    for name, schema in auth_spec["spec"].get("properties", {}).items():
                        if schema.get("format") == "password" and name in auth.get("params", {}):
                            values.append(auth["params"][name])
    return values


# What an operator would put in an ansible-vault encrypted copy of that file (test values, not credentials).
VAULTED = {
    "vault_s3_access_key": "VAULTEDACCESSKEYAAAA",
    "vault_s3_secret_key": "vaultedSecretKeyForTheEmulatorOnly/Fake1",
    "vault_azure_connection_string": "DefaultEndpointsProtocol=https;AccountName=aepvault;"
                                     "AccountKey=dmF1bHRlZC1rZXktbm90LXJlYWw=;EndpointSuffix=core.windows.net",
}
VAULT_PASSWORD = "vault-password-for-the-tests"


def account_key(connection_string):
    return connection_string.split("AccountKey=")[1].split(";")[0]


SECRETS = [DEMO_CLIENT_SECRET, DEMO_TOKEN, VAULT_PASSWORD] + stored_secrets() + [
    values[name] for values in (NEW, VAULTED) for name in ("vault_s3_secret_key", "vault_azure_connection_string")
] + [account_key(values["vault_azure_connection_string"]) for values in (NEW, VAULTED)]


def assert_no_secret(run):
    leaked = [secret for secret in SECRETS if secret in run.output] + MINTED_TOKEN.findall(run.output)
    assert not leaked, "secret values in the output: %s" % leaked


def patches(emulator, rid=""):
    return [r for r in writes(emulator, rid) if r["method"] == "PATCH"]


def report_of(run):
    """The role's report, as the test playbooks show it last."""
    return run.task("Show the report")["result"]["destination_connections_report"]


def converge_task(run):
    """The role's one converging task (its name counts the destinations)."""
    return next(r for r in run.results if r["task"].split(" : ")[-1].startswith("Converge the destinations, count "))


def role_lines(run):
    """The lines the role printed in its last report."""
    return run.task("Report what changed, per destination")["result"]["msg"]


def auth(emulator, rid=BASE, sandbox="prod"):
    return emulator.resource("connections", rid, sandbox)["auth"]["params"]


def params(emulator, rid=TARGET, sandbox="prod"):
    return emulator.resource("targetConnections", rid, sandbox)["params"]


# ----------------------------------------------------------------------------------------------------- the role

S3_KEYS = {"s3AccessKey": NEW["vault_s3_access_key"], "s3SecretKey": NEW["vault_s3_secret_key"]}
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


# ------------------------------------------------------------------------------------------------ the playbooks

def test_inspect_dataflow_shows_both_connections_with_secrets_masked(emulator, play):
    run = play("playbooks/inspect_dataflow.yml", verbose=3)
    assert run.rc == 0, run.output
    ids = run.task("Show the dataflow and the ids of its connections")["result"]["msg"]
    assert ids[1] == "Target connection(s): " + TARGET and ids[2] == "Base connection(s): " + BASE
    target = run.task("Show the target connections (where and how the dataflow exports)")["result"]["msg"][0]
    assert target["params"] == params(emulator)
    base = run.task("Show the base connections (the credentials, secrets masked)")["result"]["msg"][0]
    assert base["auth_params"]["s3SecretKey"] == "********"
    assert base["auth_params"]["s3AccessKey"] == auth(emulator)["s3AccessKey"]
    assert writes(emulator) == []
    assert_no_secret(run)

    dev = play("playbooks/inspect_dataflow.yml", extra_vars={"flow_id": DEV_FLOW, "sandbox": "dev"})
    assert dev.rc == 0, dev.output
    assert dev.task("Show the target connections (where and how the dataflow exports)")["result"]["msg"][0][
        "id"] == DEV_TARGET

    missing = play("playbooks/inspect_dataflow.yml", extra_vars={"flow_id": DEV_FLOW})  # it lives in dev
    assert missing.rc != 0
    assert "was not found in sandbox prod" in missing.output


# The playbooks have no default list (they write only what they are given); these are the emulator's demo lists.
DEMO_DESTINATIONS = yaml.safe_load((ROOT / "playbooks" / "vars" / "demo_destinations.yml").read_text(encoding="utf-8"))
EXPORT_LOCATIONS = DEMO_DESTINATIONS["export_locations"]
CREDENTIAL_ROTATIONS = DEMO_DESTINATIONS["credential_rotations"]
DEMO_LISTS = {"playbooks/update_export_location.yml": {"export_locations": EXPORT_LOCATIONS},
              "playbooks/update_destination_params.yml": {"destination_params": DEMO_DESTINATIONS["destination_params"]},
              "playbooks/rotate_credentials.yml": {"credential_rotations": CREDENTIAL_ROTATIONS},
              "playbooks/demo.yml": {}}


@pytest.mark.parametrize("playbook, changes", [
    pytest.param("playbooks/update_export_location.yml", {
        TARGET: {"bucketName": "acme-exports-2026", "path": "audiences/winter"},
        AZURE_TARGET: {"container": "acme-exports-2026", "path": "segments/daily-2026"}}, id="update_export_location"),
    pytest.param("playbooks/update_destination_params.yml", {
        PINTEREST_TARGET: {"advertiser_id": "1234567890"},
        GAM_TARGET: {"appendSegmentId": True}}, id="update_destination_params"),
])
def test_target_playbook_check_then_apply_then_rerun(emulator, play, playbook, changes):
    before = {rid: emulator.resource("targetConnections", rid) for rid in changes}

    demo = DEMO_LISTS[playbook]
    check = play(playbook, extra_vars=demo, check=True, diff=True)
    assert check.rc == 0, check.output
    assert writes(emulator) == []
    assert all(": WOULD CHANGE - target connection " in line for line in role_lines(check))

    applied = play(playbook, extra_vars=demo)
    assert applied.rc == 0, applied.output
    for rid, change in changes.items():
        assert params(emulator, rid) == dict(before[rid]["params"], **change)
    sent = patches(emulator)
    assert len(sent) == len(changes)
    assert {r["if_match"] for r in sent} == {before[rid]["etag"] for rid in changes}
    assert writes(emulator, "/connections/") == []  # credentials untouched

    emulator.clear_requests()
    rerun = play(playbook, extra_vars=demo, verbose=3)
    assert rerun.rc == 0, rerun.output
    assert writes(emulator) == []
    assert all(": ok - " in line for line in role_lines(rerun))
    for run in (check, applied, rerun):
        assert_no_secret(run)


def test_update_export_location_takes_a_survey_string_and_refuses_credentials(emulator, play):
    survey = "- flow_id: %s\n  params:\n    path: from/the/survey\n" % FLOW
    run = play("playbooks/update_export_location.yml", extra_vars={"export_locations": survey})
    assert run.rc == 0, run.output
    assert params(emulator)["path"] == "from/the/survey"

    emulator.clear_requests()
    wrong = [{"flow_id": FLOW, "params": {"path": "x"}, "auth_params": S3_KEYS}]
    refused = play("playbooks/update_export_location.yml", extra_vars={"export_locations": wrong}, verbose=3)
    assert refused.rc != 0
    assert "found auth_params" in refused.output and "rotate_credentials.yml" in refused.output
    assert emulator.requests() == []
    assert_no_secret(refused)


def vaulted_credentials_file(tmp_path):
    """An ansible-vault encrypted credentials file, as docs/awx.md and the demo file tell operators to make."""
    password_file = tmp_path / "vault-password"
    password_file.write_text(VAULT_PASSWORD, encoding="utf-8")
    credentials = tmp_path / "aep_credentials.yml"
    credentials.write_text(yaml.safe_dump(VAULTED), encoding="utf-8")
    subprocess.run([str(Path(sys.executable).parent / "ansible-vault"), "encrypt", "--vault-password-file",
                    str(password_file), str(credentials)], check=True, capture_output=True, timeout=120)
    assert credentials.read_text(encoding="utf-8").startswith("$ANSIBLE_VAULT;")
    return credentials, ["--vault-password-file", str(password_file)]


def test_rotate_credentials_stores_the_vaulted_values_and_on_change_rerun_is_ok(emulator, play, tmp_path):
    before = {rid: emulator.resource("connections", rid) for rid in (BASE, AZURE_BASE)}
    credentials, vault_args = vaulted_credentials_file(tmp_path)
    vaulted = {"credentials_file": str(credentials), "credential_rotations": CREDENTIAL_ROTATIONS}

    check = play("playbooks/rotate_credentials.yml", extra_vars={"credential_rotations": CREDENTIAL_ROTATIONS},
                 check=True, verbose=3)  # the demo file
    assert check.rc == 0, check.output
    assert writes(emulator) == []
    assert auth(emulator) == before[BASE]["auth"]["params"]
    assert "replace /auth/params (authorizedDate, s3AccessKey ending in SKEY, s3SecretKey)" in role_lines(check)[0]

    rotated = play("playbooks/rotate_credentials.yml", extra_vars=vaulted, args=vault_args, verbose=3)
    assert rotated.rc == 0, rotated.output
    assert auth(emulator)["s3AccessKey"] == VAULTED["vault_s3_access_key"]
    assert auth(emulator)["s3SecretKey"] == VAULTED["vault_s3_secret_key"]
    assert auth(emulator, AZURE_BASE)["connectionString"] == VAULTED["vault_azure_connection_string"]
    sent = patches(emulator)
    assert sorted(r["path"].rsplit("/", 1)[1] for r in sent) == sorted([BASE, AZURE_BASE])
    assert {r["if_match"] for r in sent} == {before[BASE]["etag"], before[AZURE_BASE]["etag"]}
    assert writes(emulator, "/targetConnections/") == []
    lines = role_lines(rotated)
    assert "replace /auth/params (authorizedDate, s3AccessKey ending in AAAA, s3SecretKey)" in lines[0]
    assert "replace /auth/params (authorizedDate, connectionString)" in lines[1]

    emulator.clear_requests()
    converge = play("playbooks/rotate_credentials.yml", extra_vars=dict(vaulted, update_secrets="on_change"),
                    args=vault_args, verbose=3)
    assert converge.rc == 0, converge.output
    assert writes(emulator) == []
    assert all(": ok - " in line for line in role_lines(converge))
    for run in (check, rotated, converge):
        assert_no_secret(run)


@pytest.mark.parametrize("playbook", ["playbooks/rotate_credentials.yml", "playbooks/demo.yml"])
def test_demo_credentials_are_never_sent_to_a_real_platform(emulator, play, playbook):
    run = play(playbook, extra_vars=DEMO_LISTS[playbook], env={"AEP_PLATFORM_URL": "https://platform.adobe.io"})
    assert run.rc != 0
    assert "platform.adobe.io" in run.output
    assert emulator.requests() == []


def test_demo_tells_the_tutorial_story_and_its_second_pass_is_all_ok(emulator, play):
    before = emulator.resource("targetConnections", TARGET)
    run = play("playbooks/demo.yml", verbose=3)
    assert run.rc == 0, run.output
    step1 = run.task("Step 1 - Show the target and base connection ids, and where the dataflow exports today")
    assert step1["result"]["msg"][1:3] == ["Target connection id: " + TARGET, "Base connection id: " + BASE]
    assert "Exports to: s3://acme-winter-campaign/exports/2021-winter" in step1["result"]["msg"]
    assert run.task("Step 3 - Check that the second pass found nothing to change")["status"] == "ok"
    step4 = run.task("Step 4 - Show where the dataflow exports now")["result"]["msg"]
    assert step4[0] == "Exports to: s3://acme-exports-2026/audiences/winter"
    assert step4[1] == "Access key id: %s, secret key: ********" % NEW["vault_s3_access_key"]
    # Pass 1 wrote each connection once; pass 2 wrote nothing.
    assert sorted(r["path"].rsplit("/", 1)[1] for r in patches(emulator)) == sorted([TARGET, BASE])
    assert params(emulator) == dict(before["params"], bucketName="acme-exports-2026", path="audiences/winter")
    assert auth(emulator)["s3SecretKey"] == NEW["vault_s3_secret_key"]
    converge_tasks = [r for r in run.results if r["task"].split(" : ")[-1] == "Converge the destinations, count 1"]
    assert [r["status"] for r in converge_tasks] == ["changed", "ok"]
    assert_no_secret(run)


def test_demo_in_check_mode_writes_nothing(emulator, play):
    run = play("playbooks/demo.yml", check=True)
    assert run.rc == 0, run.output
    assert writes(emulator) == []


# ------------------------------------------------------------------------------------------------------- AWX

def awx_injected_env(inputs):
    """The environment an AWX job gets from a credential of extensions/awx/credential_type.yml.

    Rendered as AWX renders injectors at job time (see tests/unit/test_awx_credential_type.py): only the
    inputs that are set are defined, unset booleans are False, templates run in an immutable sandbox.
    """
    credential_type = yaml.safe_load((ROOT / "extensions" / "awx" / "credential_type.yml").read_text("utf-8"))
    namespace = {k: v for k, v in inputs.items() if isinstance(v, bool) or v}
    for field in credential_type["inputs"]["fields"]:
        if field["type"] == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    sandbox = ImmutableSandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in credential_type["injectors"]["env"].items()}


def only_injected(injected):
    """Env overrides for the harness: every AEP_* variable removed, then the injected ones set."""
    env = {name: None for name in HARNESS_AEP_VARIABLES | {n for n in os.environ if n.startswith("AEP_")}}
    env.pop("AEP_TEST_RESULTS", None)  # the recording callback's file, not a connection setting
    env.update(injected)
    return env


@pytest.mark.parametrize("secret_input", [
    pytest.param({"client_secret": DEMO_CLIENT_SECRET, "token_cache": True}, id="client-secret"),
    pytest.param({"access_token": DEMO_TOKEN}, id="access-token"),
])
def test_awx_credential_injection_alone_runs_every_module_the_role_and_the_inventory(
        emulator, play, tmp_path, secret_input):
    inputs = dict({"client_id": DEMO_CLIENT_ID, "org_id": DEMO_ORG, "platform_url": emulator.url,
                   "ims_url": emulator.url}, **secret_input)
    injected = awx_injected_env(inputs)
    assert set(injected) <= HARNESS_AEP_VARIABLES | {"AEP_ACCESS_TOKEN", "AEP_TOKEN_CACHE"}

    run = play("role_awx_injection.yml", env=only_injected(injected), verbose=3)
    assert run.rc == 0, run.output
    assert run.task("Look up the dataflow")["result"]["flows"][0]["target_connection_ids"] == [TARGET]
    assert params(emulator)["bucketName"] == "acme-awx-exports"
    assert params(emulator)["path"] == "awx/injected"
    assert auth(emulator)["s3SecretKey"] == NEW["vault_s3_secret_key"]
    assert {r["sandbox"] for r in emulator.requests() if "/ims/" not in r["path"]} == {"prod"}
    if "client_secret" in secret_input:  # token_cache: one token for the whole job
        assert len(emulator.requests(method="POST", path_contains="/ims/token")) == 1
    else:
        assert emulator.requests(path_contains="/ims/") == []
    assert_no_secret(run)

    if "client_secret" in secret_input:
        # The job template of docs/awx.md runs update_export_location.yml with the same credential.
        job = play("playbooks/update_export_location.yml", extra_vars={"export_locations": EXPORT_LOCATIONS},
                   env=only_injected(injected))
        assert job.rc == 0, job.output
        assert params(emulator, AZURE_TARGET)["container"] == "acme-exports-2026"

    # An inventory source with the aep_flows plugin and the same credential.
    source = tmp_path / "demo.aep_flows.yml"
    source.write_text("plugin: aep.flow_service.aep_flows\n", encoding="utf-8")
    env = playbook_env(emulator, tmp_path, **only_injected(injected))
    inventory = subprocess.run([str(Path(sys.executable).parent / "ansible-inventory"), "-i", str(source), "--list"],
                               env=env, capture_output=True, text=True, timeout=120, check=False)
    assert inventory.returncode == 0, inventory.stdout + inventory.stderr
    assert FLOW in json.loads(inventory.stdout)["_meta"]["hostvars"]
