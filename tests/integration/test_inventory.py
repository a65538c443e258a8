"""The aep_flows inventory plugin through real ansible-inventory and ansible-playbook runs against the emulator.

What each run cost is read from the emulator's request log: one token, one list request per sandbox, one GET
per distinct connection spec; a play over the hosts writes once per changed dataflow and not at all on a rerun.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from harness import start_emulator

from playhelpers import DEMO_CLIENT_SECRET, playbook_env, run_playbook

TUTORIAL_FLOW = "226fb2e1-db69-4760-b67e-9e671e05abfc"
TUTORIAL_TARGET = "8ce3dc63-3766-4220-9f61-51d2f8f14618"
TUTORIAL_BASE = "7fbf542b-83ed-498f-8838-8fde0c4d4d69"
DEV_FLOW = "00000007-0000-4000-8000-000000000001"
DEV_TARGET = "00000007-0000-4000-8000-000000000002"
SOURCE_FLOW = "00000006-0000-4000-8000-000000000001"  # an ingestion dataflow: never a host
S3_SPEC = "4fce964d-3f37-408f-9778-e597338a21ee"
GENERATED = 6


def source_file(tmp_path, text=""):
    path = tmp_path / "flows.aep_flows.yml"
    path.write_text("plugin: aep.flow_service.aep_flows\n" + text, encoding="utf-8")
    return path


def ansible_inventory(emulator, tmp_path, source, *args, env=None):
    run_env = playbook_env(emulator, tmp_path, **(env or {}))
    cmd = [str(Path(sys.executable).parent / "ansible-inventory"), "-i", str(source), *args]
    return subprocess.run(cmd, env=run_env, capture_output=True, text=True, timeout=120, check=False)


def plain(value):
    """JSON from ansible-inventory without the markers of untrusted strings ({"__ansible_unsafe": "..."})."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def listed(proc):
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return plain(json.loads(proc.stdout))


def api_requests(emulator):
    """(method, path below the API or IMS, sandbox) of every logged request."""
    return [(r["method"], r["path"].replace("/data/foundation/flowservice", ""), r["sandbox"])
            for r in emulator.requests()]


def test_list_makes_dataflows_hosts_with_vars_and_groups_in_few_requests(emulator, tmp_path):
    data = listed(ansible_inventory(emulator, tmp_path, source_file(tmp_path, "sandboxes: [prod, dev]\n"), "--list"))
    hostvars = data["_meta"]["hostvars"]
    assert TUTORIAL_FLOW in hostvars and DEV_FLOW in hostvars
    assert SOURCE_FLOW not in hostvars
    assert len(hostvars) == 6  # five destination dataflows in prod, one in dev
    tutorial = hostvars[TUTORIAL_FLOW]
    assert tutorial["aep_flow_name"] == "2021 winter campaign"
    assert tutorial["aep_flow_state"] == "enabled"
    assert tutorial["aep_destination_spec_id"] == S3_SPEC
    assert tutorial["aep_destination_name"] == "Amazon S3"
    assert tutorial["aep_target_connection_id"] == TUTORIAL_TARGET
    assert tutorial["aep_base_connection_ids"] == [TUTORIAL_BASE]
    assert tutorial["aep_sandbox"] == "prod"
    assert tutorial["ansible_connection"] == "local"
    assert tutorial["ansible_python_interpreter"] == "{{ ansible_playbook_python }}"
    assert hostvars[DEV_FLOW]["aep_sandbox"] == "dev"
    assert sorted(data["aep_destination_amazon_s3"]["hosts"]) == sorted(
        [TUTORIAL_FLOW, "00000005-0000-4000-8000-000000000001", DEV_FLOW])
    assert data["aep_state_disabled"]["hosts"] == ["00000004-0000-4000-8000-000000000001"]
    assert data["aep_sandbox_dev"]["hosts"] == [DEV_FLOW]
    assert {"aep_destination_azure_blob_storage", "aep_destination_pinterest",
            "aep_destination_google_ad_manager"} <= set(data)

    made = api_requests(emulator)
    # one token, asked of IMS with the form alone: no Flow Service header (x-sandbox-name) goes to another service
    assert [r for r in made if r[1] == "/ims/token/v3"] == [("POST", "/ims/token/v3", None)]
    assert sorted(r[2] for r in made if r[1] == "/flows") == ["dev", "prod"]  # one page per sandbox
    spec_reads = [r[1] for r in made if r[1].startswith("/connectionSpecs/")]
    assert len(spec_reads) == len(set(spec_reads)) == 4  # S3, Azure Blob, Pinterest, Google Ad Manager
    # the first target connection of each flow, by id, one request per sandbox (50 ids each)
    assert sorted(r[2] for r in made if r[1] == "/targetConnections") == ["dev", "prod"]
    assert len(made) == 1 + 2 + 2 + 4
    assert tutorial["aep_destination_location"] == {"bucketName": "acme-winter-campaign", "path": "exports/2021-winter"}
    assert tutorial["aep_destination_params"]["fileType"] == "CSV"
    azure = hostvars["00000002-0000-4000-8000-000000000001"]
    assert azure["aep_destination_location"] == {"container": "acme-exports", "path": "segments/daily"}
    pinterest = hostvars["00000003-0000-4000-8000-000000000001"]
    assert pinterest["aep_destination_params"] == {"advertiser_id": "549755813888"}
    assert pinterest["aep_destination_location"] == {}
    assert hostvars[DEV_FLOW]["aep_destination_location"]["bucketName"] == "acme-dev-exports"


def test_hostnames_name_and_keyed_groups(emulator, tmp_path):
    source = source_file(tmp_path, "hostnames: name\nkeyed_groups:\n  - key: aep_flow_state\n    prefix: state\n")
    data = listed(ansible_inventory(emulator, tmp_path, source, "--list"))
    assert data["_meta"]["hostvars"]["2021_winter_campaign"]["aep_flow_id"] == TUTORIAL_FLOW
    assert "2021_winter_campaign" in data["state_enabled"]["hosts"]


def test_cache_serves_a_second_listing_without_requests(emulator, tmp_path):
    source = source_file(tmp_path, "cache: true\ncache_plugin: ansible.builtin.jsonfile\n"
                                   "cache_connection: %s\n" % (tmp_path / "inventory-cache"))
    first = listed(ansible_inventory(emulator, tmp_path, source, "--list"))
    assert emulator.requests()
    emulator.clear_requests()
    second = listed(ansible_inventory(emulator, tmp_path, source, "--list"))
    assert emulator.requests() == []
    assert second == first
    listed(ansible_inventory(emulator, tmp_path, source, "--list", "--flush-cache"))
    assert [r for r in api_requests(emulator) if r[1] == "/flows"]


def test_wrong_credentials_fail_with_a_message_and_no_secret(emulator, tmp_path):
    proc = ansible_inventory(emulator, tmp_path, source_file(tmp_path), "--list", "-vvv",
                             env={"AEP_CLIENT_SECRET": "not-the-secret", "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1"})
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Reading the destination dataflows of sandbox prod failed" in output and "HTTP 401" in output
    assert "not-the-secret" not in output


def test_missing_org_fails_before_any_request(emulator, tmp_path):
    proc = ansible_inventory(emulator, tmp_path, source_file(tmp_path), "--list",
                             env={"AEP_ORG_ID": None, "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1"})
    assert proc.returncode != 0
    assert "org_id is required" in proc.stdout + proc.stderr
    assert emulator.requests() == []


@pytest.fixture(scope="module")
def generated_server():
    server = start_emulator("--generate", str(GENERATED))
    yield server
    server.stop()


@pytest.fixture
def generated(generated_server):
    generated_server.reset()
    return generated_server


def test_play_over_the_inventory_hosts_with_forks_writes_once_per_flow_then_nothing(generated, tmp_path):
    source = source_file(tmp_path, "sandboxes: [prod, dev]\n"
                                   "groups:\n  single_target: aep_target_connection_id is not none\n")
    # One token for the inventory and every fork, through the shared token cache; the interpreter comes
    # from the plugin's ansible_python_interpreter default, not from the test environment.
    env = {"AEP_TOKEN_CACHE": "1", "ANSIBLE_PYTHON_INTERPRETER": None}
    args = ("-i", str(source), "--forks", "5")
    hosts = GENERATED + 2  # the generated S3 exports, the tutorial's and dev's

    first = run_playbook("inventory_move_exports.yml", generated, tmp_path, extra_vars={"new_path": "moved/2027"},
                         env=env, args=args)
    assert first.rc == 0, first.output
    assert first.statuses() == ["changed"] * hosts
    patches = generated.requests(method="PATCH")
    assert len(patches) == hosts
    assert all(p["if_match"] for p in patches)
    assert sorted(p["sandbox"] for p in patches).count("dev") == 1
    assert len(generated.requests(path_contains="/ims/token")) == 1
    assert generated.resource("targetConnections", DEV_TARGET, sandbox="dev")["params"]["path"] == "moved/2027"
    assert generated.resource("targetConnections", TUTORIAL_TARGET)["params"]["path"] == "moved/2027"

    generated.clear_requests()
    rerun = run_playbook("inventory_move_exports.yml", generated, tmp_path, extra_vars={"new_path": "moved/2027"},
                         env=env, args=args)
    assert rerun.rc == 0, rerun.output
    assert rerun.statuses() == ["ok"] * hosts
    assert generated.requests(method="PATCH") == []
    assert generated.requests(path_contains="/ims/token") == []
    assert DEMO_CLIENT_SECRET not in first.output + rerun.output


def test_inventory_hosts_converged_by_one_batch_task_run_once(generated, tmp_path):
    source = source_file(tmp_path, "sandboxes: [prod, dev]\n"
                                   "groups:\n  single_target: aep_target_connection_id is not none\n")
    env = {"AEP_TOKEN_CACHE": "1", "ANSIBLE_PYTHON_INTERPRETER": None}
    args = ("-i", str(source))
    hosts = GENERATED + 2

    first = run_playbook("inventory_batch_move_exports.yml", generated, tmp_path, extra_vars={"new_path": "batch/2027"},
                         env=env, args=args)
    assert first.rc == 0, first.output
    [task] = first.results  # run once: one result for the whole play
    entries = task["result"]["destinations"]
    assert len(entries) == hosts and {e["status"] for e in entries} == {"changed"}
    assert sorted(e["sandbox"] for e in entries).count("dev") == 1
    assert len(generated.requests(method="PATCH")) == hosts
    assert len(generated.requests(path_contains="/ims/token")) == 1
    assert generated.resource("targetConnections", DEV_TARGET, sandbox="dev")["params"]["path"] == "batch/2027"
    assert generated.resource("targetConnections", TUTORIAL_TARGET)["params"]["path"] == "batch/2027"

    generated.clear_requests()
    rerun = run_playbook("inventory_batch_move_exports.yml", generated, tmp_path, extra_vars={"new_path": "batch/2027"},
                         env=env, args=args)
    assert rerun.rc == 0, rerun.output
    assert rerun.statuses() == ["ok"]
    assert generated.requests(method="PATCH") == []
    assert DEMO_CLIENT_SECRET not in first.output + rerun.output
