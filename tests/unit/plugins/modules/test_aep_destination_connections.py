"""main() of aep_destination_connections against the emulator: a list converged in one run, several at a time."""

from __future__ import annotations

import pytest

from ansible_collections.aep.flow_service.plugins.modules import aep_destination_connections

FLOW = "226fb2e1-db69-4760-b67e-9e671e05abfc"
TARGET = "8ce3dc63-3766-4220-9f61-51d2f8f14618"
BASE = "7fbf542b-83ed-498f-8838-8fde0c4d4d69"
AZURE_FLOW = "00000002-0000-4000-8000-000000000001"
AZURE_TARGET = "00000002-0000-4000-8000-000000000002"
PINTEREST_TARGET = "00000003-0000-4000-8000-000000000002"
TWO_TARGET_FLOW = "00000005-0000-4000-8000-000000000001"
DEV_FLOW = "00000007-0000-4000-8000-000000000001"
DEV_TARGET = "00000007-0000-4000-8000-000000000002"
S3_SPEC = "4fce964d-3f37-408f-9778-e597338a21ee"
NEW_KEY = "AKIANEWKEYFORTHETEST"
NEW_SECRET = "aNewSecretKeyForTheUnitTestsOnly/Fake012"

LIST = [
    {"label": "S3 winter", "flow_id": FLOW, "params": {"path": "audiences/winter"},
     "auth_params": {"s3AccessKey": NEW_KEY, "s3SecretKey": NEW_SECRET}},
    {"label": "Azure", "flow_id": AZURE_FLOW, "params": {"container": "acme-2026"}, "name": "Azure (2026)"},
    {"target_connection_id": PINTEREST_TARGET, "params": {"advertiser_id": 1234567890}},
    {"label": "dev", "flow_id": DEV_FLOW, "sandbox": "dev", "params": {"path": "dev/2026"}},
]


def patches(emulator):
    return [r for r in emulator.requests() if r["method"] == "PATCH"]


def run(run_module, destinations, **args):
    check_mode = args.pop("check_mode", False)
    diff = args.pop("diff", False)
    return run_module(aep_destination_connections.main, dict(args, destinations=destinations),
                      check_mode=check_mode, diff=diff)


def test_converges_the_list_with_the_fewest_requests_then_a_rerun_writes_nothing(emulator, run_module):
    etags = {rid: emulator.resource(c, rid, sb)["etag"] for c, rid, sb in [
        ("targetConnections", TARGET, "prod"), ("connections", BASE, "prod"),
        ("targetConnections", AZURE_TARGET, "prod"), ("targetConnections", PINTEREST_TARGET, "prod"),
        ("targetConnections", DEV_TARGET, "dev")]}
    code, result = run(run_module, LIST)
    assert code == 0, result
    assert result["changed"] is True
    assert [e["status"] for e in result["destinations"]] == ["changed"] * 4
    assert [e["label"] for e in result["destinations"]] == ["S3 winter", "Azure", PINTEREST_TARGET, "dev"]
    assert emulator.resource("targetConnections", TARGET)["params"]["path"] == "audiences/winter"
    assert emulator.resource("connections", BASE)["auth"]["params"]["s3SecretKey"] == NEW_SECRET
    assert emulator.resource("targetConnections", AZURE_TARGET)["name"] == "Azure (2026)"
    assert emulator.resource("targetConnections", PINTEREST_TARGET)["params"] == {"advertiser_id": "1234567890"}
    assert emulator.resource("targetConnections", DEV_TARGET, "dev")["params"]["path"] == "dev/2026"
    # One PATCH per connection, each guarded by the etag read just before it.
    sent = patches(emulator)
    assert sorted(r["path"].rsplit("/", 1)[1] for r in sent) == sorted(etags)
    assert all(r["if_match"] == etags[r["path"].rsplit("/", 1)[1]] for r in sent)
    # The S3 flow is read once for both of its connections; each distinct spec once; one token for all.
    requests = emulator.requests()
    assert len([r for r in requests if r["path"].endswith("/flows/" + FLOW)]) == 1
    spec_reads = [r["path"].rsplit("/", 1)[1] for r in requests if "/connectionSpecs/" in r["path"]]
    assert len(spec_reads) == len(set(spec_reads)) and S3_SPEC in spec_reads
    assert len([r for r in requests if r["path"].startswith("/ims/")]) == 1
    assert {r["sandbox"] for r in requests if DEV_TARGET in r["path"]} == {"dev"}
    # Secrets masked in what is returned; the summary names keys only.
    s3 = result["destinations"][0]
    assert s3["base_connection"]["patch"][0]["value"]["s3SecretKey"] == "********"
    assert "replace /auth/params (authorizedDate, s3AccessKey ending in %s, s3SecretKey)" % NEW_KEY[-4:] in s3["summary"]
    assert s3["summary"].startswith("S3 winter: CHANGED - target connection %s: replace /params/path" % TARGET)
    assert NEW_SECRET not in repr(result)

    emulator.clear_requests()
    code, again = run(run_module, LIST, update_secrets="on_change")
    assert code == 0, again
    assert again["changed"] is False
    assert [e["status"] for e in again["destinations"]] == ["ok"] * 4
    assert patches(emulator) == []


def test_check_mode_writes_nothing_and_diff_has_one_masked_entry_per_changed_connection(emulator, run_module):
    code, result = run(run_module, LIST, check_mode=True, diff=True)
    assert code == 0, result
    assert patches(emulator) == []
    assert emulator.resource("targetConnections", TARGET)["params"]["path"] != "audiences/winter"
    assert all(": WOULD CHANGE - " in e["summary"] for e in result["destinations"])
    headers = [d["before_header"] for d in result["diff"]]
    assert sorted(headers) == sorted(["S3 winter: target connection " + TARGET, "S3 winter: base connection " + BASE,
                                      "Azure: target connection " + AZURE_TARGET,
                                      "%s: target connection %s" % (PINTEREST_TARGET, PINTEREST_TARGET),
                                      "dev: target connection " + DEV_TARGET])
    base = next(d for d in result["diff"] if "base connection" in d["before_header"])
    assert base["before"]["auth"]["params"]["s3SecretKey"] == "********"
    assert base["after"]["auth"]["params"]["s3SecretKey"] == "******** (new value)"
    assert NEW_SECRET not in repr(result)


def test_every_destination_is_tried_and_failures_are_reported_one_by_one(emulator, run_module):
    emulator.add_fault(method="PATCH", path=AZURE_TARGET, kind="status", status=500, count=1)
    destinations = [
        {"label": "missing secret", "flow_id": FLOW, "auth_params": {"s3AccessKey": NEW_KEY}},
        {"label": "azure", "flow_id": AZURE_FLOW, "params": {"container": "acme-2026"}},
        {"label": "gone", "flow_id": "00000000-0000-4000-8000-00000000dead", "params": {"path": "x"}},
        {"label": "two targets", "flow_id": TWO_TARGET_FLOW, "params": {"path": "x"}},
        {"label": "bad param", "target_connection_id": TARGET, "params": {"noSuchParam": "x"}},
        {"label": "dev", "flow_id": DEV_FLOW, "sandbox": "dev", "params": {"path": "dev/2026"}},
    ]
    code, result = run(run_module, destinations, retries=0)
    assert code == 1
    entries = result["destinations"]
    assert [e["status"] for e in entries] == ["failed"] * 5 + ["changed"]
    assert [e["failed_step"] for e in entries] == ["base", "target", "target", "target", "target", None]
    assert "must include the secret s3SecretKey" in entries[0]["error"]
    assert entries[1]["error"].startswith("Updating target connection %s failed: PATCH " % AZURE_TARGET)
    assert "HTTP 500" in entries[1]["error"] and "request id" in entries[1]["error"]
    assert "was not found in sandbox prod" in entries[2]["error"]
    assert "has 2 target connections" in entries[3]["error"]
    assert "noSuchParam" in entries[4]["error"]
    assert result["msg"].startswith("5 of 6 destinations failed: missing secret: FAILED - base connection: ")
    # Only the good destination was written.
    assert sorted(r["path"].rsplit("/", 1)[1] for r in patches(emulator)) == [AZURE_TARGET, DEV_TARGET]
    assert emulator.resource("targetConnections", DEV_TARGET, "dev")["params"]["path"] == "dev/2026"
    assert NEW_KEY not in repr(result)  # auth_params is no_log: even the access key is masked


@pytest.mark.parametrize("destinations, args, words", [
    ([{"flow_id": FLOW}], {}, ["destination 1 (%s): nothing to change" % FLOW]),
    ([{"base_connection_id": BASE, "params": {"path": "x"}}, {"label": "k", "target_connection_id": TARGET,
                                                              "auth_params": {"s3AccessKey": NEW_KEY}}],
     {}, ["destination 1 (%s): params, name and description change the target connection" % BASE,
          "destination 2 (k): auth_params, base_name and base_description change the base connection"]),
    ([{"flow_id": FLOW, "auth_params": {}}], {}, ["auth_params is empty"]),
    ([{"flow_id": " ", "params": {"path": "x"}}], {}, ["flow_id must not be empty"]),
    ([{"flow_id": FLOW, "params": {"path": "x"}}], {"workers": 0}, ["workers must be between 1 and 32"]),
    ([{"params": {"path": "x"}}], {}, ["one of the following is required: flow_id, target_connection_id"]),
    ([{"flow_id": FLOW, "purge_params": True}], {}, ["purge_params is True but all of the following are missing"]),
    ([{"flow_id": FLOW, "update_secrets": "never", "auth_params": {"s3AccessKey": NEW_KEY}}], {},
     ["update_secrets must be one of: always, on_change"]),
    ([{"flow_id": FLOW, "parms": {}}], {}, ["parms"]),
])
def test_invalid_items_fail_before_any_request(emulator, run_module, destinations, args, words):
    code, result = run(run_module, destinations, **args)
    assert code == 1, result
    for word in words:
        assert word in result["msg"], result["msg"]
    assert emulator.requests() == []
    assert NEW_KEY not in result["msg"]


def test_items_sharing_a_connection_both_converge_without_a_lost_update(emulator, run_module):
    # Two items for the same flow: one moves the export, the other renames it; both must land.
    destinations = [{"label": "one", "target_connection_id": TARGET, "params": {"path": "shared/path"}},
                    {"label": "two", "flow_id": FLOW, "name": "Shared target"}]
    code, result = run(run_module, destinations, workers=2)
    assert code == 0, result
    stored = emulator.resource("targetConnections", TARGET)
    assert stored["params"]["path"] == "shared/path" and stored["name"] == "Shared target"
    # Serialised per connection: no 412 was needed.
    assert [r["status"] for r in patches(emulator)] == [200, 200]


def test_an_empty_list_is_ok_and_sends_nothing(emulator, run_module):
    code, result = run(run_module, [])
    assert (code, result["changed"], result["destinations"]) == (0, False, [])
    assert emulator.requests() == []


def test_a_refused_token_fails_once_not_once_per_destination(emulator, run_module):
    code, result = run(run_module, LIST, client_secret="a-wrong-client-secret-value")
    assert code == 1
    assert result["msg"].startswith("Getting an access token failed: POST ")
    assert len(emulator.requests()) == 1
