"""Issue 12 item 7: a write that landed is reported as written, whatever answer its PATCH got.

The emulator's ``applied`` fault processes a PATCH (it lands) and gives another answer: a gateway's 504, or a
success page in HTML. Before the fix, a PATCH that landed behind a 504 was retried, got 412, the re-read
matched, and the task said ``changed: false, patch: []``; a 2xx PATCH with an HTML body failed without
``write_unconfirmed``. Now 502/503/504 and unreadable 2xx answers to a write are unconfirmed, the read that
follows decides, and the emulator's log proves that no write is sent twice once ours is seen to have landed.
"""

from __future__ import annotations

import pytest
from ansible_collections.aep.flow_service.plugins.modules import (
    aep_base_connection,
    aep_destination_connections,
    aep_target_connection,
)

import relkit
from relkit import BASE, FLOW, NEW_ACCESS_KEY, NEW_S3_SECRET, TARGET

OPTIONS = {"retries": 2, "timeout": 5}
NEW_PARAMS = {"path": "exports/confirmed", "compression": "GZIP"}
TARGET_PATCH = [{"op": "replace", "path": "/params/path", "value": "exports/confirmed"},
                {"op": "replace", "path": "/params/compression", "value": "GZIP"}]
HTML = "<html><head><title>Saved</title></head><body>Your request was processed.</body></html>"


def patches(emu, rid):
    return [r["status"] for r in emu.requests(method="PATCH", path_contains=rid)]


def target_args(**extra):
    return dict(OPTIONS, flow_id=FLOW, params=NEW_PARAMS, **extra)


def figure(scenario, run, statuses, landed):
    relkit.record("write_confirmation", scenario=scenario, changed=run.result.get("changed"),
                  failed=run.failed, write_unconfirmed=run.result.get("write_unconfirmed", False),
                  patch_statuses=statuses, landed=landed)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_patch_that_lands_behind_a_gateway_error_then_412_is_changed(emulator, run_module, status):
    """The story of the finding: 5xx (landed), the client's retry gets 412, the re-read matches."""
    emulator.add_fault(method="PATCH", path=TARGET, kind="applied", status=status)
    run = run_module(aep_target_connection.main, target_args(), diff=True, scenario="patch behind %d" % status)
    statuses = patches(emulator, TARGET)
    stored = emulator.resource("targetConnections", TARGET)["params"]
    figure("lands behind %d, retry 412" % status, run, statuses, stored["path"] == NEW_PARAMS["path"])
    assert not run.failed, run.result
    assert run.result["changed"] is True
    assert run.result["patch"] == TARGET_PATCH
    assert run.result["diff"]["before"]["params"]["path"] == "exports/2021-winter"
    assert run.result["diff"]["after"]["params"]["path"] == NEW_PARAMS["path"]
    assert statuses == [status, 412]  # one landed write, no third PATCH
    assert stored["path"] == NEW_PARAMS["path"] and stored["compression"] == "GZIP"
    again = run_module(aep_target_connection.main, target_args(), scenario="rerun after %d" % status)
    assert again.result["changed"] is False and patches(emulator, TARGET) == statuses


def test_a_patch_that_lands_behind_504s_until_the_client_gives_up_is_changed(emulator, run_module):
    emulator.add_fault(method="PATCH", path=TARGET, kind="applied", status=504, count=3)
    run = run_module(aep_target_connection.main, target_args(), scenario="patch behind 504 x3")
    statuses = patches(emulator, TARGET)
    figure("lands behind 504 x3", run, statuses, True)
    assert not run.failed, run.result
    assert (run.result["changed"], run.result["patch"]) == (True, TARGET_PATCH)
    assert statuses == [504, 504, 504]
    assert emulator.resource("targetConnections", TARGET)["params"]["path"] == NEW_PARAMS["path"]


def test_a_patch_that_lands_behind_an_html_success_is_changed(emulator, run_module):
    emulator.add_fault(method="PATCH", path=TARGET, kind="applied", status=200, format="html", body=HTML)
    run = run_module(aep_target_connection.main, target_args(), scenario="patch behind an HTML 200")
    statuses = patches(emulator, TARGET)
    figure("lands behind an HTML 200", run, statuses, True)
    assert not run.failed, run.result
    assert (run.result["changed"], run.result["patch"]) == (True, TARGET_PATCH)
    assert statuses == [200]  # read again, not written again


def test_an_html_success_that_did_not_land_fails_with_write_unconfirmed(emulator, run_module):
    """A 2xx we cannot read, and the read shows nothing of ours: it may still land; the task must say so."""
    emulator.add_fault(method="PATCH", path=TARGET, kind="status", status=200, body=HTML)
    run = run_module(aep_target_connection.main, target_args(), scenario="HTML 200, not applied")
    statuses = patches(emulator, TARGET)
    figure("HTML 200, not landed", run, statuses, False)
    assert run.failed
    assert run.result.get("write_unconfirmed") is True
    assert "may have been applied" in run.msg and "HTTP 200" in run.msg
    assert "<html" not in run.msg
    assert statuses == [200]


def test_a_gateway_error_whose_write_did_not_land_fails_with_write_unconfirmed(emulator, run_module):
    emulator.add_fault(method="PATCH", path=TARGET, kind="status", status=504, count=3)
    run = run_module(aep_target_connection.main, target_args(), scenario="504 x3, not applied")
    figure("504 x3, not landed", run, patches(emulator, TARGET), False)
    assert run.failed and run.result.get("write_unconfirmed") is True
    assert "gave up after 2 retries" in run.msg and "may have been applied" in run.msg


def test_a_base_connection_rename_that_lands_behind_a_504_is_changed(emulator, run_module):
    emulator.add_fault(method="PATCH", path=BASE, kind="applied", status=504)
    run = run_module(aep_base_connection.main, dict(OPTIONS, flow_id=FLOW, name="renamed behind a 504"),
                     scenario="base rename behind 504")
    figure("base rename behind 504", run, patches(emulator, BASE), True)
    assert not run.failed, run.result
    assert run.result["changed"] is True
    assert run.result["patch"] == [{"op": "replace", "path": "/name", "value": "renamed behind a 504"}]
    assert patches(emulator, BASE) == [504, 412]


def test_a_secret_rotation_behind_a_504_cannot_be_confirmed_and_says_so(emulator, run_module):
    """Secrets read back masked: no read can show they landed, so the task fails with write_unconfirmed."""
    emulator.add_fault(method="PATCH", path=BASE, kind="applied", status=504, count=3)
    run = run_module(aep_base_connection.main, dict(OPTIONS, flow_id=FLOW, auth_params={
        "s3AccessKey": NEW_ACCESS_KEY, "s3SecretKey": NEW_S3_SECRET}), scenario="rotation behind 504 x3")
    figure("rotation behind 504 x3", run, patches(emulator, BASE), True)
    assert run.failed and run.result.get("write_unconfirmed") is True
    assert "may have been applied" in run.msg
    assert emulator.resource("connections", BASE)["auth"]["params"]["s3SecretKey"] == NEW_S3_SECRET


def test_the_batch_module_reports_a_write_that_landed_behind_a_504(emulator, run_module):
    emulator.add_fault(method="PATCH", path=TARGET, kind="applied", status=504)
    run = run_module(aep_destination_connections.main,
                     dict(OPTIONS, destinations=[{"label": "hit", "flow_id": FLOW, "params": NEW_PARAMS}]),
                     scenario="batch: patch behind 504")
    (entry,) = run.result["destinations"]
    figure("batch: lands behind 504", run, patches(emulator, TARGET), True)
    assert not run.failed, run.result
    assert entry["status"] == "changed" and entry["write_unconfirmed"] is False
    assert entry["target_connection"]["changed"] is True
    assert entry["target_connection"]["patch"] == TARGET_PATCH
    assert patches(emulator, TARGET) == [504, 412]
