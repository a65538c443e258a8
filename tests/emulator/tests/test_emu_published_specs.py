"""The six published cloud-storage connection specs: served as Adobe publishes them, and open as they are.

Sources: ../shared/reference/connection-specs/ (Adobe's file-based destinations API tutorial, transcribed with its
commit). The specs declare no ``additionalProperties``, so undeclared keys (``mode``, which every example sends) are
accepted; ``csvOptions`` values are limited by ``oneOf``/``const``; Adobe's ``conditional`` keyword does not stop
any documented example (the emulator does not enforce ``required``, which ``conditional`` qualifies).
"""
from __future__ import annotations

import pytest
from emu_support import PINTEREST_TARGET, flow_error

from published_specs import DESTINATIONS

IDS = [destination.name for destination in DESTINATIONS]


@pytest.mark.parametrize("destination", DESTINATIONS, ids=IDS)
def test_served_as_published(api, destination):
    published = destination.reference()
    if published is None:
        pytest.skip("the shared reference folder is absent")
    spec = api.item(f"/connectionSpecs/{destination.spec_id}", destination.sandbox)
    assert spec["id"] == published["id"] and spec["name"] == published["name"]
    assert spec["providerId"] == published["providerId"] and spec["version"] == published["version"]
    assert spec["authSpec"] == published["authSpec"]
    assert spec["encryptionSpecs"] == published["encryptionSpecs"]
    assert spec["targetSpec"]["spec"] == published["targetSpec"]["spec"]
    assert {spec["targetSpec"]["name"], spec["targetSpec"]["type"]} == {"User based target", "UserNamespace"}


@pytest.mark.parametrize("destination", DESTINATIONS, ids=IDS)
def test_demo_destination_is_a_destination_flow(api, destination):
    flow = api.item(f"/flows/{destination.flow}", destination.sandbox)
    assert flow["inheritedAttributes"]["properties"]["isDestinationFlow"] is True
    [target] = flow["inheritedAttributes"]["targetConnections"]
    assert target["id"] == destination.target and target["baseConnection"]["id"] == destination.base
    flow_spec = api.item(f"/flowSpecs/{flow['flowSpec']['id']}", destination.sandbox)
    assert flow_spec["targetConnectionSpecIds"] == [destination.spec_id]
    published = destination.reference()
    if published is not None:
        assert flow["flowSpec"]["id"] == published["flowSpecId"]
    params = api.item(f"/targetConnections/{destination.target}", destination.sandbox)["params"]
    assert params["mode"] == "Server-to-server" and set(destination.location) <= set(params)


@pytest.mark.parametrize("example", ["exampleTargetParams", "exampleTargetParamsCsv"])
@pytest.mark.parametrize("destination", DESTINATIONS, ids=IDS)
def test_documented_target_examples_are_accepted(emulator, api, destination, example):
    published = destination.reference()
    if published is None:
        pytest.skip("the shared reference folder is absent")
    path = f"/targetConnections/{destination.target}"
    response = api.patch(path, [{"op": "replace", "path": "/params", "value": published[example]}], sandbox=destination.sandbox)
    assert response.status_code == 200, response.text
    assert emulator.resource("targetConnections", destination.target, sandbox=destination.sandbox)["params"] == published[example]


@pytest.mark.parametrize("destination", [d for d in DESTINATIONS if d.auth_spec and d.name != "amazon-s3"],
                         ids=[d.name for d in DESTINATIONS if d.auth_spec and d.name != "amazon-s3"])
def test_documented_auth_examples_are_accepted(api, destination):
    # Amazon S3's example values are placeholders that its own patterns refuse (see the reference's notes).
    published = destination.reference()
    if published is None:
        pytest.skip("the shared reference folder is absent")
    examples = [{"specName": published["exampleAuthSpecName"], "params": published["exampleAuthParams"]}]
    examples += published.get("otherAuthExamples") or []
    for auth in examples:
        response = api.patch(f"/connections/{destination.base}", [{"op": "replace", "path": "/auth", "value": auth}],
                             sandbox=destination.sandbox)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("op, path, value", [
    ("add", "/params/unknownKey", "x"),
    ("add", "/params/csvOptions/lineSep", "\n"),
    ("remove", "/params/mode", "Server-to-server"),
    ("add", "/params/mode", "Server-to-server"),
])
def test_open_specs_accept_undeclared_keys(api, op, path, value):
    target = DESTINATIONS[0].target
    if op == "add" and path == "/params/mode":
        assert api.patch(f"/targetConnections/{target}", [{"op": "remove", "path": path, "value": value}]).status_code == 200
    assert api.patch(f"/targetConnections/{target}", [{"op": op, "path": path, "value": value}]).status_code == 200


def test_open_auth_spec_accepts_undeclared_keys(api):
    base = DESTINATIONS[0].base
    ops = [{"op": "add", "path": "/auth/params/region", "value": "eu-west-1"}]
    assert api.patch(f"/connections/{base}", ops).status_code == 200


def test_closed_spec_still_refuses_undeclared_keys(api):
    body = flow_error(api.patch(f"/targetConnections/{PINTEREST_TARGET}",
                                [{"op": "add", "path": "/params/unknownKey", "value": "x"}]), "1455", 400)
    assert '"params.unknownKey"' in body["errorMessage"]


@pytest.mark.parametrize("value", ["#", ";;", "\\t"])
def test_csv_options_one_of_const(api, value):
    target = DESTINATIONS[0].target
    body = flow_error(api.patch(f"/targetConnections/{target}",
                                [{"op": "replace", "path": "/params/csvOptions/delimiter", "value": value}]), "1455", 400)
    assert '"params.csvOptions.delimiter"' in body["errorMessage"]
    assert api.patch(f"/targetConnections/{target}",
                     [{"op": "replace", "path": "/params/csvOptions/delimiter", "value": "\t"}]).status_code == 200
