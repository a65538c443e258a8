"""The modules, the batch module and the role on Adobe's six published cloud-storage connection specs.

The emulator serves the specs as Adobe publishes them (open: no additionalProperties; csvOptions as oneOf/const;
mode undeclared; Adobe's conditional keyword), with one demo dataflow each (tests/emulator/published_specs.py).
Every run is checked on the emulator's side: its request log counts the writes (one PATCH per connection that
changes, none on a rerun or in check mode) and its stored objects show what landed.
"""

from __future__ import annotations

import copy

import pytest

from playhelpers import writes
from published_specs import DESTINATIONS

MODE = {"mode": "Server-to-server"}
NEW_LOCATION = {"amazon-s3": {"path": "exports/2027"}, "azure-blob": {"path": "segments/2027"},
                "adls-gen2": {"path": "acme/2027"}, "data-landing-zone": {"path": "acme/dlz-2027"},
                "google-cloud-storage": {"bucketName": "acme-gcs-2027"}, "sftp": {"remotePath": "uploads/2027"}}
# A partial csvOptions on the CSV exports (the other options must be kept); Azure Blob turns to CSV with one option.
CSV_CHANGE = {"amazon-s3": {"csvOptions": {"delimiter": ";"}}, "adls-gen2": {"csvOptions": {"quote": ""}},
              "sftp": {"csvOptions": {"delimiter": "\t"}},
              "azure-blob": {"fileType": "CSV", "csvOptions": {"delimiter": "|"}}}
# Fake rotated secrets (fit the published patterns); only the secret is given, every other auth param must stay.
ROTATED = {"amazon-s3": {"s3SecretKey": "RotatedDemoSecretForPublishedSpecs/00001"},
           "azure-blob": {"connectionString": "DefaultEndpointsProtocol=https;AccountName=aepdemo;"
                                              "AccountKey=cm90YXRlZC1kZW1vLW5vdC1hLWtleQ==;EndpointSuffix=core.windows.net"},
           "adls-gen2": {"servicePrincipalKey": "rotated-demo-adls-key-not-real"},
           "google-cloud-storage": {"secretAccessKey": "rotated-demo-gcs-secret-not-real"},
           "sftp": {"password": "rotated-demo-sftp-password-not-real"}}
ROTATING = [d for d in DESTINATIONS if d.name in ROTATED]


def desired_params(destination):
    return dict(MODE, **NEW_LOCATION[destination.name], **CSV_CHANGE.get(destination.name, {}))


def merged(current, desired):
    result = copy.deepcopy(current)
    for key, value in desired.items():
        both = isinstance(result.get(key), dict) and isinstance(value, dict)
        result[key] = merged(result[key], value) if both else value
    return result


def stored(emulator, collection, destination, rid=None):
    rid = rid or (destination.target if collection == "targetConnections" else destination.base)
    return emulator.resource(collection, rid, sandbox=destination.sandbox)


def patches_of(emulator, rid):
    return [r for r in writes(emulator, rid) if r["method"] == "PATCH"]


def module_target(destination, **extra):
    return dict({"flow_id": destination.flow, "sandbox": destination.sandbox, "params": desired_params(destination)},
                **extra)


def module_base(destination, **extra):
    return dict({"flow_id": destination.flow, "sandbox": destination.sandbox, "auth_params": ROTATED[destination.name]},
                **extra)


def item_results(run, task):
    return {r["result"]["item"]["flow_id"]: r for r in run.results
            if r["task"] == task and r["status"].startswith("item_")}


def test_single_modules_merge_nested_params_keep_mode_and_rotate_keeping_every_other_auth_param(emulator, play):
    before = {d.name: (stored(emulator, "targetConnections", d), stored(emulator, "connections", d)) for d in DESTINATIONS}
    emulator.clear_requests()
    run = play("published_specs.yml", extra_vars={"targets": [module_target(d) for d in DESTINATIONS],
                                                  "bases": [module_base(d) for d in ROTATING]})
    assert run.rc == 0, run.output
    targets = item_results(run, "Converge the target connections")
    for destination in DESTINATIONS:
        target_before, base_before = before[destination.name]
        after = stored(emulator, "targetConnections", destination)
        assert after["params"] == merged(target_before["params"], desired_params(destination)), destination.name
        assert after["params"]["mode"] == "Server-to-server"
        sent = patches_of(emulator, destination.target)
        assert len(sent) == 1, destination.name
        assert sent[0]["if_match"] == target_before["etag"]
        # Nested keys travel one by one: /params/csvOptions/delimiter, never the whole csvOptions over the old one.
        if "csvOptions" in target_before["params"] and destination.name in CSV_CHANGE:
            assert all(not op["path"].endswith("/csvOptions") for op in sent[0]["body"])
        assert targets[destination.flow]["status"] == "item_changed"
    for destination in ROTATING:
        base_before = before[destination.name][1]
        base_after = stored(emulator, "connections", destination)
        expected = dict(base_before["auth"]["params"], **ROTATED[destination.name])
        assert base_after["auth"]["params"] == expected, destination.name   # authorizedDate kept on S3 and Blob
        assert len(patches_of(emulator, destination.base)) == 1
    assert "authorizedDate" in stored(emulator, "connections", DESTINATIONS[0])["auth"]["params"]
    assert len(writes(emulator)) == len(DESTINATIONS) + len(ROTATING)

    # A rerun writes nothing: the targets are as declared, and on_change sends no secret alone.
    emulator.clear_requests()
    rerun = play("published_specs.yml", extra_vars={
        "targets": [module_target(d) for d in DESTINATIONS],
        "bases": [module_base(d, update_secrets="on_change") for d in ROTATING]})
    assert rerun.rc == 0, rerun.output
    assert writes(emulator) == []
    assert {r["status"] for r in rerun.results if r["status"].startswith("item_")} == {"item_ok"}


def purge_params(destination, current):
    """Every current param but the undeclared legacyOption; csvOptions cut down to its delimiter."""
    params = {k: v for k, v in current.items() if k != "legacyOption"}
    if "csvOptions" in params:
        params["csvOptions"] = {"delimiter": params["csvOptions"]["delimiter"]}
    return params


def test_purge_in_check_mode_shows_what_would_go_then_removes_it_at_every_level(emulator, play):
    for destination in DESTINATIONS:
        emulator.edit("targetConnections", destination.target,
                      [{"op": "add", "path": "/params/legacyOption", "value": "x"}], sandbox=destination.sandbox)
    before = {d.name: stored(emulator, "targetConnections", d) for d in DESTINATIONS}
    targets = [module_target(d, params=purge_params(d, before[d.name]["params"]), purge_params=True)
               for d in DESTINATIONS]
    emulator.clear_requests()
    check = play("published_specs.yml", extra_vars={"targets": targets}, check=True, diff=True)
    assert check.rc == 0, check.output
    assert writes(emulator) == []
    results = item_results(check, "Converge the target connections")
    for destination in DESTINATIONS:
        result = results[destination.flow]["result"]
        expected = ["legacyOption"]
        if "csvOptions" in before[destination.name]["params"]:
            expected = ["csvOptions.quote", "csvOptions.escape", "csvOptions.nullValue", "csvOptions.emptyValue",
                        "legacyOption"]
        assert sorted(result["removed_params"]) == sorted(expected), destination.name
        assert sorted(op["path"] for op in result["patch"] if op["op"] == "remove") == sorted(
            "/params/" + path.replace(".", "/") for path in expected)
        assert "legacyOption" in result["diff"]["before"]["params"]
        assert "legacyOption" not in result["diff"]["after"]["params"]
        assert stored(emulator, "targetConnections", destination) == before[destination.name]

    real = play("published_specs.yml", extra_vars={"targets": targets})
    assert real.rc == 0, real.output
    for destination in DESTINATIONS:
        assert stored(emulator, "targetConnections", destination)["params"] == purge_params(
            destination, before[destination.name]["params"])
        assert len(patches_of(emulator, destination.target)) == 1


def test_purge_never_removes_a_required_param(emulator, play):
    for destination in DESTINATIONS:
        emulator.clear_requests()
        run = play("target_connection.yml", extra_vars={"module_args": module_target(
            destination, params=dict(MODE), purge_params=True)})
        assert run.rc != 0
        message = run.task("Converge the target connection")["result"]["msg"]
        assert "which the connection spec requires" in message and destination.location[0] in message, message
        assert writes(emulator) == []


def batch_items(**extra):
    items = []
    for destination in DESTINATIONS:
        item = {"label": destination.name, "flow_id": destination.flow, "sandbox": destination.sandbox,
                "params": desired_params(destination)}
        if destination.name in ROTATED:
            item["auth_params"] = ROTATED[destination.name]
        item.update(extra)
        items.append(item)
    return items


@pytest.mark.parametrize("runner", ["module", "role"])
def test_batch_module_and_role_on_the_six_specs(emulator, play, runner):
    before = {d.name: (stored(emulator, "targetConnections", d), stored(emulator, "connections", d)) for d in DESTINATIONS}

    def converge(**extra):
        if runner == "module":
            run = play("destination_connections.yml", extra_vars={"module_args": {"destinations": batch_items(**extra)}})
            return run, run.task("Converge the destinations")["result"]["destinations"]
        run = play("role_converge.yml", extra_vars={"destinations": batch_items(**extra)})
        return run, run.task("Keep the report")["result"]["ansible_facts"]["destination_connections_report"]

    emulator.clear_requests()
    run, report = converge()
    assert run.rc == 0, run.output
    assert [entry["status"] for entry in report] == ["changed"] * len(DESTINATIONS)
    for destination in DESTINATIONS:
        target_before, base_before = before[destination.name]
        assert stored(emulator, "targetConnections", destination)["params"] == merged(
            target_before["params"], desired_params(destination))
        assert len(patches_of(emulator, destination.target)) == 1
        if destination.name in ROTATED:
            assert stored(emulator, "connections", destination)["auth"]["params"] == dict(
                base_before["auth"]["params"], **ROTATED[destination.name])
            assert len(patches_of(emulator, destination.base)) == 1
    assert len(writes(emulator)) == len(DESTINATIONS) + len(ROTATING)

    emulator.clear_requests()
    rerun, report = converge(update_secrets="on_change")
    assert rerun.rc == 0, rerun.output
    assert writes(emulator) == []
    assert [entry["status"] for entry in report] == ["ok"] * len(DESTINATIONS)
