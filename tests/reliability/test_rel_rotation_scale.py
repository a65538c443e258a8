"""A rotation of thousands of destinations in one task leaks none of their secrets (issue 17 item 2).

Every auth_params value is a no_log value; AepModule scrubs the result, the invocation and the log line with
only the values each text holds (plugins/module_utils/_scrub.py) instead of Ansible's every value against every
string. These runs give each destination its own new key pair, run aep_destination_connections with -vvv and a
log file (the ``play`` fixture), and scan the output, the log and the results for every one of those secrets.
The 5,000-destination run takes minutes on two cores: it is marked ``long`` (make test-long).
"""

from __future__ import annotations

import json
import random
import string

import pytest

from flowservice_emulator.data import generated_id
from relkit import ROOT

PLAYBOOK = ROOT / "tests" / "integration" / "playbooks" / "destination_connections.yml"
ACCESS_KEY_LETTERS = string.ascii_uppercase + "234567"  # the S3 spec's pattern: ^[A-Z2-7]{20}$
SECRET_KEY_LETTERS = string.ascii_letters + string.digits + "/+"  # ^[A-Za-z0-9/+]{40}$


def rotation_items(count, seed):
    """Items giving generated dataflows 1..count new, distinct keys: base connections addressed by id."""
    rng = random.Random(seed)
    items = []
    for index in range(1, count + 1):
        items.append({"base_connection_id": generated_id(index, 3), "update_secrets": "always", "auth_params": {
            "s3AccessKey": "".join(rng.choice(ACCESS_KEY_LETTERS) for dummy in range(20)),
            "s3SecretKey": "".join(rng.choice(SECRET_KEY_LETTERS) for dummy in range(40))}})
    secrets = [value for item in items for value in item["auth_params"].values()]
    assert len(set(secrets)) == len(secrets), "two generated secrets are equal: pick another seed"
    return items


def rotate(count, own_emulator, play, scanner, tmp_path):
    emu = own_emulator("--generate", str(count))
    items = rotation_items(count, seed=count)
    for number, item in enumerate(items, 1):
        for key, value in item["auth_params"].items():
            scanner.add("generated %s of destination %d" % (key, number), value)
    probe = items[count // 2]["auth_params"]["s3SecretKey"]
    assert scanner.scan("quoted: %s, encoded: %s" % (probe, probe.replace("/", "%2F"))), "the scanner must know them"

    arguments = tmp_path / "rotation.json"  # far beyond what one command-line argument may hold
    arguments.write_text(json.dumps({"module_args": {"destinations": items}}), encoding="utf-8")
    # ansible-core 2.21 returns the invocation (all the arguments: every secret) only when asked to
    run = play(PLAYBOOK, emu, scenario="rotation of %d destinations" % count, tags=["rotation"],
               env={"ANSIBLE_INJECT_INVOCATION": "1"}, args=["-e", "@%s" % arguments], timeout=1800)

    assert run.rc == 0, run.output[-3000:]
    result = run.task("Converge the destinations")["result"]
    assert [entry["status"] for entry in result["destinations"]] == ["changed"] * count
    for index in sorted({1, count // 3, count // 2, count}):  # the new keys landed (a sample: the API is slow to ask)
        stored = emu.resource("connections", generated_id(index, 3))["auth"]["params"]
        assert {k: stored[k] for k in ("s3AccessKey", "s3SecretKey")} == items[index - 1]["auth_params"]
    # The invocation is shown at -vvv: every secret in it is masked as a whole. (The fixture scanned everything.)
    masked = result["invocation"]["module_args"]["destinations"]
    assert {value for item in masked for value in item["auth_params"].values()} == {"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}


def test_a_rotation_of_200_destinations_leaks_no_secret(own_emulator, play, scanner, tmp_path):
    rotate(200, own_emulator, play, scanner, tmp_path)


@pytest.mark.long
def test_a_rotation_of_5000_destinations_leaks_no_secret(own_emulator, play, scanner, tmp_path):
    rotate(5000, own_emulator, play, scanner, tmp_path)
