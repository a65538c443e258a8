"""Every playbook in playbooks/, run with real ansible-playbook against the emulator.

Each claim is checked on the emulator's side: its stored objects (secrets in clear through the control API)
and its request log (which writes, with which If-Match). Every secret the emulator holds or the tests send,
the client secret and every token must stay out of the output, -vvv included.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from playhelpers import writes
from rolekit import (
    AZURE_BASE, AZURE_TARGET, BASE, CREDENTIAL_ROTATIONS, DEMO_LISTS, DEV_FLOW, DEV_TARGET, FLOW, GAM_TARGET, NEW,
    PINTEREST_TARGET, S3_KEYS, TARGET, VAULT_PASSWORD, VAULTED, assert_no_secret, auth, params, patches, role_lines,
)


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
