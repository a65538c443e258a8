"""purge_params with an empty params (issue 12, finding 5): refused before any request, in the module, the batch
module's items and the role.

On the main of 2026-12-01 ``params: {}`` with ``purge_params: true`` passed every check and removed every target
param (one PATCH of ``remove`` operations, the export left without bucket, path or format). Each case below must
fail with a message naming purge_params, send no request at all (no token, no read, no write), and leave the
connection as it was.
"""

from __future__ import annotations

import pytest
from ansible_collections.aep.flow_service.plugins.modules import aep_destination_connections, aep_target_connection

import relkit
from relkit import FLOW, TARGET


def api_requests(emulator):
    return [r for r in emulator.requests() if not r["path"].startswith("/_emulator")]


@pytest.mark.parametrize("args", [
    {"flow_id": FLOW, "params": {}, "purge_params": True},
    {"id": TARGET, "params": {}, "purge_params": True},
], ids=["by flow_id", "by id"])
def test_module_refuses_purge_with_empty_params(emulator, run_module, args):
    before = emulator.resource("targetConnections", TARGET)
    emulator.clear_requests()
    run = run_module(aep_target_connection.main, args, scenario="purge_params with params {}")
    assert run.failed and "purge_params needs params, and not an empty one" in run.msg, run.result
    assert api_requests(emulator) == []
    assert emulator.resource("targetConnections", TARGET) == before
    relkit.record("bad_input", case="purge_params with params {} (module)", layer="module in-process", clean=True,
                  writes=0)


@pytest.mark.parametrize("destinations, purge_default", [
    ([{"flow_id": FLOW, "params": {}, "purge_params": True}], False),
    ([{"flow_id": FLOW, "params": {}}], True),
    ([{"flow_id": FLOW, "params": {"path": "x"}}, {"target_connection_id": TARGET, "params": {}, "purge_params": True}],
     False),
], ids=["item purge", "module default purge", "second item"])
def test_batch_module_refuses_purge_with_empty_params(emulator, run_module, destinations, purge_default):
    before = emulator.resource("targetConnections", TARGET)
    emulator.clear_requests()
    run = run_module(aep_destination_connections.main, {"destinations": destinations, "purge_params": purge_default},
                     scenario="batch purge_params with params {}")
    assert run.failed and "purge_params needs params, and not an empty one" in run.msg, run.result
    assert api_requests(emulator) == []
    assert emulator.resource("targetConnections", TARGET) == before
    relkit.record("bad_input", case="purge_params with params {} (batch item)", layer="module in-process",
                  clean=True, writes=0)


def test_role_refuses_purge_with_empty_params(emulator, play):
    before = emulator.resource("targetConnections", TARGET)
    emulator.clear_requests()
    run = play("role_converge.yml", extra_vars={"destinations": [{"flow_id": FLOW, "params": {}}],
                                                "destination_connections_purge_params": True},
               scenario="role purge_params with params {}")
    assert run.rc != 0
    assert "purge_params needs params, and not an empty one" in run.output
    assert api_requests(emulator) == []
    assert emulator.resource("targetConnections", TARGET) == before
    relkit.record("bad_input", case="purge_params with params {} (role)", layer="ansible-playbook", clean=True,
                  writes=0)
