"""GET shapes validated against Adobe's OpenAPI specs in ../shared/reference, where those schemas are right.

Sources (see ../shared/reference/README.md): S1 = flow-service-openapi.yaml ("Sources"), S2 =
flow-service-destinations-openapi.yaml ("Destinations").

Used as they are:

* S1 ``FlowListResponse``, ``ConnectionListResponse``, ``ConnectionSpecResponse`` for lists and GET-by-id (the
  reference confirms that GET-by-id answers with the list wrapper);
* S2 ``ConnectionItem`` (required fields) and ``AmazonS3Auth`` (on the stored object, secrets in clear);
* S2 ``AmazonS3TargetConnectionParams_V2`` for the params of Amazon S3 target connections.

Used with corrections, each where the schema disagrees with the API's own examples and the reference:

* S1 ``TargetConnectionDataDTO.schema``: the API returns ``"schema": null`` (reference 2.2); S1 lacks ``nullable``;
* S2 ``BaseFlowItem.inheritedAttributes``: ``sourceConnections``/``targetConnections`` are arrays whose
  ``connectionSpec``/``baseConnection`` are objects (S2's own examples, the tutorial); S2 types them object/string;
* S2 ``BatchTransformation.params``: a ``oneOf`` of two schemas without required members matches both; ``anyOf``;
* S2 ``TargetConnectionItem``: ``inheritedAttributes.baseConnection`` is an object (S2 examples), not a string;
  ``params`` is a ``oneOf`` whose first branch (a nested connectionSpec/params shape) matches anything, so params
  are checked against ``AmazonS3TargetConnectionParams_V2`` instead;
* S2 ``ConnectionItem.auth`` describes the values a client writes: a masked secret cannot fit ``AmazonS3Auth``'s
  pattern, so GET responses are checked without ``auth`` and the stored object is checked with it.

Not used: S2's GET /flows and GET /connections response schemas (single items for list endpoints) and S1's
PATCH /targetConnections response (a list shape; the API answers ``{id, etag}``).
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from emu_support import AZURE_FLOW, BASE, DEV_BASE, DEV_FLOW, FLOW, S3_SPEC, TARGET, TWO_TARGETS_FLOW, demo_id

jsonschema = pytest.importorskip("jsonschema")
yaml = pytest.importorskip("yaml")

REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference"
S1_FILE = REFERENCE / "flow-service-openapi.yaml"
S2_FILE = REFERENCE / "flow-service-destinations-openapi.yaml"

pytestmark = pytest.mark.skipif(not (S1_FILE.is_file() and S2_FILE.is_file()),
                                reason=f"Adobe's OpenAPI specs are not in {REFERENCE} (the shared reference folder is absent)")

CONNECTION_META = {"type": "object", "required": ["id"], "properties": {
    "id": {"type": "string"},
    "connectionSpec": {"type": "object", "required": ["id", "version"], "properties": {"id": {"type": "string"}, "version": {"type": "string"}}},
}}
CONNECTION_REF = {**CONNECTION_META, "properties": {**CONNECTION_META["properties"], "baseConnection": CONNECTION_META}}


@pytest.fixture(name="specs", scope="module")
def _specs():
    """The two OpenAPI documents, parsed."""
    return {"S1": yaml.safe_load(S1_FILE.read_text(encoding="utf-8")), "S2": yaml.safe_load(S2_FILE.read_text(encoding="utf-8"))}


def check(document: dict, schema: dict, instance: object) -> None:
    """Validate ``instance`` against ``schema``, resolving $refs inside the OpenAPI ``document``."""
    wrapped = {"allOf": [schema], "components": document["components"]}
    validator = jsonschema.Draft7Validator(wrapped)
    problems = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    assert not problems, "\n".join(f"{list(error.absolute_path)}: {error.message}" for error in problems[:5])


def ref(name: str) -> dict:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def component(document: dict, name: str) -> dict:
    """A deep copy of a component schema, to be corrected."""
    return copy.deepcopy(document["components"]["schemas"][name])


def s1_with_nullable_data_schema(document: dict) -> dict:
    """S1 with TargetConnectionDataDTO.schema allowed to be null."""
    fixed = copy.deepcopy(document)
    data = fixed["components"]["schemas"]["TargetConnectionDataDTO"]["properties"]
    data["schema"] = {"anyOf": [{"type": "null"}, data["schema"]]}
    data["properties"] = {"type": ["object", "null"]}
    return fixed


def s2_flow_item(document: dict, batch: bool) -> dict:
    """S2 BaseFlowItem (plus batch transformations) with the inheritedAttributes corrected."""
    base = component(document, "BaseFlowItem")
    inherited = base["properties"]["inheritedAttributes"]["properties"]
    source_entry = copy.deepcopy(CONNECTION_REF)
    source_entry["properties"]["typeInfo"] = inherited["sourceConnections"]["properties"]["typeInfo"]
    inherited["sourceConnections"] = {"type": "array", "items": source_entry}
    inherited["targetConnections"] = {"type": "array", "items": CONNECTION_REF}
    if not batch:
        return base
    transformation = component(document, "BatchTransformation")
    transformation["properties"]["params"] = {"anyOf": transformation["properties"]["params"]["oneOf"]}
    return {"allOf": [base, {"type": "object", "required": ["transformations"],
                             "properties": {"transformations": {"type": "array", "items": transformation}}}]}


def s2_target_connection_item(document: dict) -> dict:
    """S2 TargetConnectionItem with inheritedAttributes corrected and params left to their own check."""
    item = component(document, "TargetConnectionItem")
    item["properties"]["inheritedAttributes"] = {"type": "object", "properties": {"baseConnection": CONNECTION_META}}
    item["properties"]["params"] = {"type": "object"}
    return item


def s2_connection_item(document: dict, with_auth: bool) -> dict:
    """S2 ConnectionItem; with_auth=False drops the auth member (masked secrets cannot fit its patterns)."""
    item = component(document, "ConnectionItem")
    if with_auth:
        item["properties"]["auth"] = ref("AmazonS3Auth")
    else:
        item["properties"]["auth"] = {"type": "object", "required": ["specName"]}
    return item


@pytest.mark.parametrize("path, sandbox", [
    ("/flows", "prod"), ("/flows", "dev"), (f"/flows/{FLOW}", "prod"), (f"/flows/{TWO_TARGETS_FLOW}", "prod"), ("/flows?limit=2", "prod"),
])
def test_flows_fit_s1(api, specs, path, sandbox):
    check(specs["S1"], ref("FlowListResponse"), api.get(path, sandbox=sandbox).json())


@pytest.mark.parametrize("path", ["/targetConnections", f"/targetConnections/{TARGET}"])
def test_target_connections_fit_s1(api, specs, path):
    check(s1_with_nullable_data_schema(specs["S1"]), ref("TargetConnectionsListResponse"), api.get(path).json())


@pytest.mark.parametrize("path", ["/connections", f"/connections/{BASE}"])
def test_connections_fit_s1(api, specs, path):
    check(specs["S1"], ref("ConnectionListResponse"), api.get(path).json())


@pytest.mark.parametrize("path", ["/connectionSpecs", f"/connectionSpecs/{S3_SPEC}"])
def test_connection_specs_fit_s1(api, specs, path):
    check(specs["S1"], ref("ConnectionSpecResponse"), api.get(path).json())


def test_destination_flows_fit_s2(api, specs):
    flows = [item for item in api.get("/flows").json()["items"] if item["inheritedAttributes"]["properties"]["isDestinationFlow"]]
    flows.append(api.item(f"/flows/{DEV_FLOW}", sandbox="dev"))
    assert len(flows) == 6
    batch_specs = {S3_SPEC, "6d6b59bf-fb58-4107-9064-4d246c0e5bb2"}
    for flow in flows:
        batch = flow["inheritedAttributes"]["targetConnections"][0]["connectionSpec"]["id"] in batch_specs
        check(specs["S2"], s2_flow_item(specs["S2"], batch), flow)
    check(specs["S2"], s2_flow_item(specs["S2"], True), api.item(f"/flows/{AZURE_FLOW}"))


def test_destination_target_connections_fit_s2(api, specs):
    targets = [item for item in api.get("/targetConnections").json()["items"] if item.get("baseConnectionId")]
    assert len(targets) == 6
    for target in targets:
        check(specs["S2"], s2_target_connection_item(specs["S2"]), target)
        if target["connectionSpec"]["id"] == S3_SPEC:
            check(specs["S2"], ref("AmazonS3TargetConnectionParams_V2"), target["params"])


def test_connections_fit_s2(api, emulator, specs):
    for connection in api.get("/connections").json()["items"]:
        check(specs["S2"], s2_connection_item(specs["S2"], with_auth=False), connection)
    for rid, sandbox in [(BASE, "prod"), (demo_id(5, 3), "prod"), (demo_id(5, 6), "prod"), (DEV_BASE, "dev")]:
        check(specs["S2"], s2_connection_item(specs["S2"], with_auth=True), emulator.resource("connections", rid, sandbox=sandbox))


def test_patch_responses_fit_s2(api, specs):
    response = api.patch(f"/connections/{BASE}", [{"op": "replace", "path": "/name", "value": "renamed"}])
    check(specs["S2"], ref("Patch_Connection_Response"), response.json())
    response = api.patch(f"/flows/{FLOW}", [{"op": "replace", "path": "/name", "value": "renamed"}])
    check(specs["S2"], ref("Patch_Flow_Response"), response.json())


def test_the_checks_are_not_vacuous(api, specs):
    flow = api.item(f"/flows/{FLOW}")
    broken = {key: value for key, value in flow.items() if key != "description"}
    with pytest.raises(AssertionError, match="description"):
        check(specs["S2"], s2_flow_item(specs["S2"], True), broken)
    with pytest.raises(AssertionError):
        check(specs["S1"], ref("FlowListResponse"), {"items": [{**flow, "createdAt": "yesterday"}]})
    target = api.get(f"/targetConnections/{TARGET}").json()
    with pytest.raises(AssertionError, match="schema"):
        check(specs["S1"], ref("TargetConnectionsListResponse"), target)  # S1 as published rejects "schema": null
    with pytest.raises(AssertionError):
        check(specs["S2"], ref("AmazonS3TargetConnectionParams_V2"), {**target["items"][0]["params"], "fileType": "XML"})
