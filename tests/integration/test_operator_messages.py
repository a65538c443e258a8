"""What an operator sees when something goes wrong (issue 14): real ansible-playbook runs against the emulator,
asserting on the exit code, the lines printed and the writes in the emulator's request log.
"""

from __future__ import annotations

import re

from playhelpers import writes
from test_roles_and_playbooks import FLOW, PINTEREST_TARGET, TARGET, assert_no_secret, patches

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
    assert "destination 2 (typo): unknown key parms; the keys are: auth_params, base_connection_id" in fatal
    assert "destination 3 (%s): argument 'purge_params' is of type str" % FLOW in fatal
    assert fatal.count("unknown key parms") == 1
    assert_no_secret(run)
