"""What an operator sees when something goes wrong (issue 14): real ansible-playbook runs against the emulator,
asserting on the exit code, the lines printed and the writes in the emulator's request log.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from playhelpers import ROOT, playbook_env, writes
from rolekit import (
    AZURE_BASE,
    AZURE_FLOW,
    BASE,
    DEMO_LISTS,
    FLOW,
    NEW,
    PINTEREST_TARGET,
    TARGET,
    assert_no_secret,
    patches,
)

TWO_TARGETS_FLOW = "00000005-0000-4000-8000-000000000001"
TWO_TARGETS = ["00000005-0000-4000-8000-000000000002", "00000005-0000-4000-8000-000000000005"]


def fatal_lines(run):
    return [line for line in run.output.splitlines() if line.startswith("fatal: ")]


def role_output(run):
    """What the role printed: the output before the test playbook's own dump of the report."""
    return run.output.split("TASK [Show the report]")[0]


# ------------------------------------------------------------ 1. one bad destination must not hide the others

def test_role_check_diff_shows_the_good_items_then_fails_listing_the_bad_one(emulator, play):
    destinations = [
        {"label": "S3 winter", "flow_id": FLOW, "params": {"path": "audiences/spring"}},
        {"label": "two targets", "flow_id": TWO_TARGETS_FLOW, "params": {"path": "x"}},
        {"label": "pinterest", "target_connection_id": PINTEREST_TARGET, "params": {"advertiser_id": "1234567890"}},
    ]
    run = play("role_converge.yml", extra_vars={"destinations": destinations}, check=True, diff=True)
    assert run.rc == 2, run.output
    assert writes(emulator) == []
    # The diff of both good items is printed, headed by their labels.
    assert "S3 winter: target connection %s" % TARGET in run.output
    assert "pinterest: target connection %s" % PINTEREST_TARGET in run.output
    assert '+    "path": "audiences/spring"' in run.output or '"path": "audiences/spring"' in run.output
    # The report says what would change, and why the bad one failed, once.
    lines = run.task("Report what changed, per destination")["result"]["msg"]
    assert lines[0].startswith("S3 winter: WOULD CHANGE - ") and lines[2].startswith("pinterest: WOULD CHANGE - ")
    assert lines[1].startswith("two targets: FAILED - ")
    assert role_output(run).count("has 2 target connections") == 1, run.output
    # Then a later task fails the run, naming the failed item.
    assert run.task("Converge the destinations, count 3")["status"] == "changed"
    assert run.task("Fail if a destination failed")["status"] == "failed"
    assert fatal_lines(run) == [
        'fatal: [localhost]: FAILED! => {"changed": false, "msg": "1 of 3 destinations failed: two targets '
        '(see the report above)."}']


def test_role_validation_names_the_item_and_the_key_without_dumping_the_spec(emulator, play):
    destinations = [
        {"label": "fine", "flow_id": FLOW, "params": {"path": "x"}},
        {"label": "typo", "flow_id": FLOW, "parms": {"path": "x"}},
        {"flow_id": FLOW, "params": {"path": "x"}, "purge_params": "maybe"},
    ]
    run = play("role_converge.yml", extra_vars={"destinations": destinations})
    assert run.rc == 2
    assert emulator.requests() == []
    assert "argument_spec_data" not in run.output
    assert len(run.output) < 4000, run.output
    (fatal,) = fatal_lines(run)
    assert ("destination 2 (typo): unknown key parms; the keys are: allow_undeclared_auth_params, "
            "allow_undeclared_params, auth_params, base_connection_id") in fatal
    assert "destination 3 (%s): argument 'purge_params' is of type str" % FLOW in fatal
    assert fatal.count("unknown key parms") == 1
    assert_no_secret(run)


# -------------------------------------------- 2. in the caller's words; 8. the label is the dataflow's name

def test_role_asks_for_target_connection_id_listing_the_candidates_with_their_names(emulator, play):
    run = play("role_converge.yml", extra_vars={"destinations": [
        {"flow_id": TWO_TARGETS_FLOW, "params": {"path": "x"}}, {"flow_id": FLOW, "params": {"path": "y"}}]})
    assert run.rc == 2
    lines = run.task("Report what changed, per destination")["result"]["msg"]
    assert lines[0] == (
        "ACME two-target export: FAILED - target connection: dataflow %s has 2 target connections: "
        "%s (Amazon S3 target A (two targets)), %s (Amazon S3 target B (two targets)); set target_connection_id "
        "to pick one" % (TWO_TARGETS_FLOW, TWO_TARGETS[0], TWO_TARGETS[1]))
    # An item without a label is named by its dataflow's name, in the report and the last task.
    assert lines[1].startswith("2021 winter campaign: CHANGED - target connection %s: " % TARGET), lines
    assert "destinations failed: ACME two-target export (see the report above)" in fatal_lines(run)[0]
    assert [r["path"].rsplit("/", 1)[1] for r in patches(emulator)] == [TARGET]


def test_single_module_asks_for_id_listing_the_candidates(emulator, play):
    args = {"flow_id": TWO_TARGETS_FLOW, "params": {"path": "x"}}
    run = play("target_connection.yml", extra_vars={"module_args": args})
    assert run.rc == 2
    assert ("has 2 target connections: %s (Amazon S3 target A (two targets)), %s (Amazon S3 target B (two "
            "targets)); set id to pick one" % tuple(TWO_TARGETS)) in fatal_lines(run)[0]
    assert writes(emulator) == []


# ------------------------------------------------------------------- 3. refuse non-ids before any request

@pytest.mark.parametrize("playbook, module_args, words", [
    pytest.param("target_connection.yml", {"id": "None", "params": {"path": "x"}},
                 "id is 'None', which is not an id but an empty, null or undefined variable", id="target-None"),
    pytest.param("target_connection.yml", {"flow_id": "null", "params": {"path": "x"}},
                 "flow_id is 'null', which is not an id", id="target-flow-null"),
    pytest.param("base_connection.yml", {"id": " ", "name": "x"}, "id must not be empty", id="base-blank"),
    pytest.param("base_connection.yml", {"flow_id": FLOW + "\n", "name": "x"}, "holds spaces or line breaks",
                 id="base-newline"),
    pytest.param("flow_info.yml", {"id": "None"}, "id is 'None', which is not an id", id="flow-info-None"),
])
def test_modules_refuse_non_ids_before_any_request(emulator, play, playbook, module_args, words):
    run = play(playbook, extra_vars={"module_args": module_args})
    assert run.rc == 2
    assert words in fatal_lines(run)[0], run.output
    assert emulator.requests() == []  # not even a token


def test_role_refuses_non_id_items_before_any_request(emulator, play):
    run = play("role_converge.yml", extra_vars={"destinations": [
        {"label": "hostvar", "target_connection_id": "None", "params": {"path": "x"}},
        {"label": "blank", "flow_id": "  ", "params": {"path": "x"}},
        {"label": "fine", "flow_id": FLOW, "params": {"path": "x"}}]})
    assert run.rc == 2
    (fatal,) = fatal_lines(run)
    assert "destination 1 (hostvar): target_connection_id is 'None', which is not an id" in fatal
    assert "destination 2 (blank): flow_id must not be empty" in fatal
    assert emulator.requests() == []


# ---------------------------------------------------------------------- 4. a wrong kind of id says what it is

@pytest.mark.parametrize("playbook, rid, words", [
    pytest.param("target_connection.yml", TARGET, "%s is a target connection, not a dataflow: use id (in sandbox "
                 "prod)" % TARGET, id="target-id-as-flow_id"),
    pytest.param("target_connection.yml", BASE, "%s is a base connection, not a dataflow: use the id of "
                 "aep.flow_service.aep_base_connection" % BASE, id="base-id-to-target-module"),
    pytest.param("base_connection.yml", BASE, "%s is a base connection, not a dataflow: use id" % BASE,
                 id="base-id-as-flow_id"),
])
def test_single_modules_say_what_a_wrong_kind_of_id_is(emulator, play, playbook, rid, words):
    args = {"flow_id": rid}
    args.update({"params": {"path": "x"}} if playbook.startswith("target") else {"name": "x"})
    run = play(playbook, extra_vars={"module_args": args})
    assert run.rc == 2
    assert words in fatal_lines(run)[0], run.output
    assert writes(emulator) == []


def test_role_says_what_a_wrong_kind_of_id_is_in_its_own_words(emulator, play):
    run = play("role_converge.yml", extra_vars={"destinations": [
        {"label": "target as flow", "flow_id": TARGET, "params": {"path": "x"}},
        {"label": "base as flow", "flow_id": BASE, "base_name": "x"},
        {"label": "nothing", "flow_id": "00000000-0000-4000-8000-00000000dead", "params": {"path": "x"}}]})
    assert run.rc == 2
    lines = run.task("Report what changed, per destination")["result"]["msg"]
    assert "%s is a target connection, not a dataflow: use target_connection_id (in sandbox prod)" % TARGET in lines[0]
    assert "%s is a base connection, not a dataflow: use base_connection_id (in sandbox prod)" % BASE in lines[1]
    assert "dataflow 00000000-0000-4000-8000-00000000dead was not found in sandbox prod" in lines[2]
    assert writes(emulator) == []


# ------------------------------------------------------------ 5. playbooks write only what they are told

@pytest.mark.parametrize("playbook, variable", [
    ("playbooks/update_export_location.yml", "export_locations"),
    ("playbooks/update_destination_params.yml", "destination_params"),
    ("playbooks/rotate_credentials.yml", "credential_rotations"),
])
def test_playbooks_without_their_list_write_nothing_and_say_how_to_give_it(emulator, play, playbook, variable):
    run = play(playbook)
    assert run.rc == 2
    (fatal,) = fatal_lines(run)
    assert "%s is not set: this playbook" % variable in fatal
    assert "survey question (Textarea, YAML or JSON) whose variable is %s" % variable in fatal
    assert emulator.requests() == []


def test_rotate_credentials_checks_the_credentials_file_exists(emulator, play, tmp_path):
    missing = tmp_path / "no" / "aep_credentials.yml"
    run = play("playbooks/rotate_credentials.yml", extra_vars=dict(DEMO_LISTS["playbooks/rotate_credentials.yml"],
                                                                   credentials_file=str(missing)))
    assert run.rc == 2
    assert "credentials_file %s was not found" % missing in fatal_lines(run)[0]
    assert "is undefined" not in run.output
    assert emulator.requests() == []


def test_rotate_credentials_takes_its_list_as_a_survey_string(emulator, play):
    survey = yaml.safe_dump(DEMO_LISTS["playbooks/rotate_credentials.yml"]["credential_rotations"])
    run = play("playbooks/rotate_credentials.yml", extra_vars={"credential_rotations": survey})
    assert run.rc == 0, run.output
    assert emulator.resource("connections", BASE)["auth"]["params"]["s3AccessKey"] == NEW["vault_s3_access_key"]
    assert len(patches(emulator)) == 2
    assert_no_secret(run)


def test_role_warns_about_a_misspelt_variable(emulator, play):
    run = play("role_converge.yml", extra_vars={"destinations": [{"flow_id": FLOW, "params": {"path": "x"}}],
                                                "destination_connections_wokers": 2})
    assert run.rc == 0, run.output
    warning = run.task("Warn about unknown destination_connections_ variables")["result"]["msg"]
    assert warning.startswith("WARNING: destination_connections_wokers is not a variable of the "
                              "destination_connections role and is ignored. Its variables: ")
    assert "destination_connections_workers" in warning
    quiet = play("role_converge.yml", extra_vars={"destinations": [{"flow_id": FLOW, "params": {"path": "x"}}]})
    assert quiet.task("Warn about unknown destination_connections_ variables")["status"] == "skipped"


# ------------------------------------------------- 6. update_secrets: on_change with nothing to compare

def test_on_change_warns_per_destination_when_nothing_can_be_compared(emulator, play):
    run = play("playbooks/rotate_credentials.yml",
               extra_vars=dict(DEMO_LISTS["playbooks/rotate_credentials.yml"], update_secrets="on_change"))
    assert run.rc == 0, run.output
    warnings = [line for line in run.output.splitlines() if line.startswith("[WARNING]: ACME daily Azure")]
    assert warnings == [
        "[WARNING]: ACME daily Azure export (Azure Blob): update_secrets is on_change, but auth_params holds only "
        "secrets (connectionString), which the API never returns: nothing could be compared, so nothing was sent "
        "and a new value would not be rotated. Set update_secrets: always to rotate it."]
    assert "2021 winter campaign (Amazon S3): update_secrets" not in run.output  # its access key id compares
    assert writes(emulator, AZURE_BASE) == []


def test_base_module_warns_when_on_change_has_nothing_to_compare(emulator, play):
    run = play("base_connection.yml", extra_vars={"module_args": {
        "id": AZURE_BASE, "auth_params": {"connectionString": NEW["vault_azure_connection_string"]},
        "update_secrets": "on_change"}})
    assert run.rc == 0, run.output
    assert ("[WARNING]: base connection %s: update_secrets is on_change, but auth_params holds only secrets "
            "(connectionString)" % AZURE_BASE) in run.output
    assert writes(emulator) == []
    assert_no_secret(run)


# -------------------------------------------------------------------------- 8. messages a person reads

def test_rotation_report_names_the_access_key_going_in_by_its_last_four_characters(emulator, play):
    run = play("playbooks/rotate_credentials.yml", extra_vars=DEMO_LISTS["playbooks/rotate_credentials.yml"],
               check=True)
    assert run.rc == 0, run.output
    line = run.task("Report what changed, per destination")["result"]["msg"][0]
    assert "replace /auth/params (authorizedDate, s3AccessKey ending in %s, s3SecretKey)" % NEW["vault_s3_access_key"][-4:] in line
    assert_no_secret(run)


def test_single_module_diff_names_the_connection_kind_and_id(emulator, play):
    run = play("target_connection.yml", extra_vars={"module_args": {"id": TARGET, "params": {"path": "x"}}},
               check=True, diff=True)
    assert run.rc == 0, run.output
    assert "--- before: target connection %s" % TARGET in run.output
    assert "+++ after: target connection %s" % TARGET in run.output


# ------------------------------------------------------------------ 7. inventory failures must not pass unnoticed

def run_on_inventory(emulator, tmp_path, source_text, **env):
    source = tmp_path / "aep.aep_flows.yml"
    source.write_text(source_text, encoding="utf-8")
    run_env = playbook_env(emulator, tmp_path, ANSIBLE_INVENTORY_ENABLED="aep.flow_service.aep_flows", **env)
    playbook = ROOT / "tests" / "integration" / "playbooks" / "inventory_move_exports.yml"
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(source), str(playbook),
                           "-e", "new_path=moved/by/inventory"], env=run_env, capture_output=True, text=True,
                          timeout=300, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_inventory_with_a_wrong_secret_warns_by_default_and_says_how_to_make_it_fatal(emulator, tmp_path):
    rc, output = run_on_inventory(emulator, tmp_path, "plugin: aep.flow_service.aep_flows\n",
                                  AEP_CLIENT_SECRET="not-the-secret")
    # Ansible's default, which the collection cannot change: a warning, no hosts, exit code 0.
    assert rc == 0 and "no hosts matched" in output, output
    assert "HTTP 401, invalid_client" in output
    assert "set ANSIBLE_INVENTORY_UNPARSED_FAILED=true" in output
    assert writes(emulator) == []


@pytest.mark.parametrize("source_text, secret, cause", [
    pytest.param("plugin: aep.flow_service.aep_flows\n", "not-the-secret", "HTTP 401, invalid_client",
                 id="wrong-secret"),
    pytest.param("plugin: aep.flow_service.aep_flows\nsandboxes: [prod, nosuch]\n", None,
                 "Reading the destination dataflows of sandbox nosuch failed", id="one-bad-sandbox"),
])
def test_inventory_failure_fails_the_run_with_unparsed_failed(emulator, tmp_path, source_text, secret, cause):
    env = {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"}
    if secret:
        env["AEP_CLIENT_SECRET"] = secret
    rc, output = run_on_inventory(emulator, tmp_path, source_text, **env)
    assert rc != 0, output
    assert cause in output
    assert "one sandbox that fails fails them all" in output
    assert "no hosts matched" not in output
    assert writes(emulator) == []  # prod was readable in the second case: none of its exports moved
    assert "not-the-secret" not in output


# -------------------------------------------------------------------------- 8. messages a person reads (more)

def test_bucket_and_container_names_are_described_in_words_then_the_pattern(emulator, play):
    run = play("role_converge.yml", extra_vars={"destinations": [
        {"label": "s3", "flow_id": FLOW, "params": {"bucketName": "Acme_Exports"}},
        {"label": "azure", "flow_id": AZURE_FLOW, "params": {"container": "acme--exports"}}]})
    assert run.rc == 2
    lines = run.task("Report what changed, per destination")["result"]["msg"]
    assert ("bucketName does not match the pattern of an Amazon S3 bucket name (3 to 63 characters: lower-case "
            "letters, digits, dots and hyphens") in lines[0]
    assert lines[0].endswith("[a-z0-9][a-z0-9\\-]*[a-z0-9])$)")  # the regex after the words
    assert "container does not match the pattern of an Azure Blob container name" in lines[1]
    assert writes(emulator) == []


def test_org_id_without_its_suffix_fails_before_any_request(emulator, play):
    run = play("flow_info.yml", extra_vars={"module_args": {"id": FLOW}},
               env={"AEP_ORG_ID": "0123456789ABCDEF01234567"})
    assert run.rc == 2
    assert ("org_id must be the IMS organization id, which ends in @AdobeOrg (such as "
            "0123456789ABCDEF01234567@AdobeOrg") in fatal_lines(run)[0]
    assert emulator.requests() == []


def test_module_examples_use_valid_ids():
    examples = (ROOT / "plugins" / "modules" / "aep_target_connection.py").read_text(encoding="utf-8")
    ids = re.findall(r"\b(?:id|flow_id): ([0-9a-z-]{36})\b", examples)
    assert ids and all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", i) for i in ids), ids


def test_single_module_says_would_change_in_check_mode(emulator, play):
    args = {"module_args": {"id": TARGET, "params": {"path": "x"}}}
    check = play("target_connection.yml", extra_vars=args, check=True)
    assert check.task("Converge the target connection")["result"]["msg"] == (
        "target connection %s: would change (check mode, nothing was sent): replace /params/path" % TARGET)
    applied = play("target_connection.yml", extra_vars=args)
    assert applied.task("Converge the target connection")["result"]["msg"] == (
        "target connection %s: changed: replace /params/path" % TARGET)
    again = play("target_connection.yml", extra_vars=args)
    assert again.task("Converge the target connection")["result"]["msg"] == "target connection %s: no change" % TARGET
    assert len(patches(emulator)) == 1
