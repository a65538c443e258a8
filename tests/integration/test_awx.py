"""The AWX credential type (extensions/awx/credential_type.yml): the environment it injects, alone, runs every
module, the role, a playbook and the inventory plugin, with real ansible-playbook against the emulator.

The injected environment is rendered as AWX renders it at job time (tests/awx_credential.py); the secrets it
carries must stay out of the output, -vvv included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from awx_credential import load_credential_type, render_injected_env
from playhelpers import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_ORG, playbook_env
from rolekit import AZURE_TARGET, DEMO_TOKEN, EXPORT_LOCATIONS, FLOW, NEW, TARGET, assert_no_secret, auth, params

HARNESS_AEP_VARIABLES = {"AEP_PLATFORM_URL", "AEP_IMS_URL", "AEP_CLIENT_ID", "AEP_CLIENT_SECRET", "AEP_ORG_ID",
                         "AEP_SANDBOX_NAME"}


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
    injected = render_injected_env(load_credential_type(), inputs)
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
