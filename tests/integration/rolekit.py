"""Shared pieces of the tests that run the destination_connections role: directly (test_role.py), through the
playbooks in playbooks/ (test_playbooks.py), under an AWX credential (test_awx.py), and test_operator_messages.py.

The emulator's demo resources they act on, the values they send, the secrets that must never show in any output,
and readers of the emulator's side and of the role's report. tests/reliability/test_rel_secrets.py reads SECRETS
and VAULT_PASSWORD from here for its own scan.
"""

from __future__ import annotations

import re

import yaml

from harness import DEMO_TOKEN, TUTORIAL_BASE_CONNECTION_ID, TUTORIAL_FLOW_ID, TUTORIAL_TARGET_CONNECTION_ID
from playhelpers import DEMO_CLIENT_SECRET, ROOT, writes

FLOW, TARGET, BASE = TUTORIAL_FLOW_ID, TUTORIAL_TARGET_CONNECTION_ID, TUTORIAL_BASE_CONNECTION_ID
AZURE_FLOW = "00000002-0000-4000-8000-000000000001"
AZURE_TARGET = "00000002-0000-4000-8000-000000000002"
AZURE_BASE = "00000002-0000-4000-8000-000000000003"
PINTEREST_FLOW = "00000003-0000-4000-8000-000000000001"
PINTEREST_TARGET = "00000003-0000-4000-8000-000000000002"
GAM_FLOW = "00000004-0000-4000-8000-000000000001"
GAM_TARGET = "00000004-0000-4000-8000-000000000002"
DEV_FLOW = "00000007-0000-4000-8000-000000000001"
DEV_TARGET = "00000007-0000-4000-8000-000000000002"

# The new credentials the playbooks send: the demo vars file (fake values for the emulator).
NEW = yaml.safe_load((ROOT / "playbooks" / "vars" / "demo_credentials.yml").read_text(encoding="utf-8"))
EMULATOR_DATA = yaml.safe_load((ROOT / "tests" / "emulator" / "demo_data.yaml").read_text(encoding="utf-8"))
MINTED_TOKEN = re.compile(r"emu-[A-Za-z0-9_\-]{16,}")


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


S3_KEYS = {"s3AccessKey": NEW["vault_s3_access_key"], "s3SecretKey": NEW["vault_s3_secret_key"]}

# The playbooks have no default list (they write only what they are given); these are the emulator's demo lists.
DEMO_DESTINATIONS = yaml.safe_load((ROOT / "playbooks" / "vars" / "demo_destinations.yml").read_text(encoding="utf-8"))
EXPORT_LOCATIONS = DEMO_DESTINATIONS["export_locations"]
CREDENTIAL_ROTATIONS = DEMO_DESTINATIONS["credential_rotations"]
DEMO_LISTS = {"playbooks/update_export_location.yml": {"export_locations": EXPORT_LOCATIONS},
              "playbooks/update_destination_params.yml": {"destination_params": DEMO_DESTINATIONS["destination_params"]},
              "playbooks/rotate_credentials.yml": {"credential_rotations": CREDENTIAL_ROTATIONS},
              "playbooks/demo.yml": {}}
