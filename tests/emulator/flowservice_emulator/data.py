"""Loading the emulator's data set (YAML or JSON), filling in computed fields, generating synthetic flows.

The file format is documented in ``tests/emulator/README.md``. In short: ``org``, ``clients``,
``sandboxes``, global ``connectionSpecs``, and ``resources`` keyed by sandbox name, each holding
``connections``, ``targetConnections``, ``sourceConnections``, ``flows`` and ``runs`` in their API shape, global
``flowSpecs``, and top-level ``runs`` keyed by sandbox (kept apart so that the demo's runs live in their own part
of the file). The loader adds what the service computes: audit fields, sandbox and org fields, ``etag``/``version``,
a target or source connection's ``inheritedAttributes`` and a flow's ``inheritedAttributes`` and ``runs``.
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from .ims import Client

BUILTIN_DATA = Path(__file__).resolve().parent.parent / "demo_data.yaml"
SANDBOXED = ("connections", "targetConnections", "sourceConnections", "flows", "runs")
BASE_TIME_MS = 1_640_289_901_000  # 2021-12-23T20:05:01Z, the tutorial dataflow's era
PROFILE_SPEC = {"id": "8a9c3494-9708-43d7-ae3f-cda01e5030e1", "version": "1.0"}
S3_SPEC = {"id": "4fce964d-3f37-408f-9778-e597338a21ee", "version": "1.0"}
S3_FLOW_SPEC = {"id": "269ba276-16fc-47db-92b0-c1049a3c131f", "version": "1.0"}
GENERATED_PREFIX = "6e000000-0000-4000-8000-"
PROFILE_BASE_CONNECTION = "0a82f29f-b457-47f7-bb30-33856e2ae5aa"


class DataError(ValueError):
    """The data file is unreadable or inconsistent."""


@dataclass
class Dataset:
    """A normalised data set, ready to be copied into the store."""

    org: str
    clients: list[Client]
    static_tokens: dict[str, str]
    sandboxes: dict[str, dict]
    specs: dict[str, dict]
    resources: dict[str, dict[str, dict[str, dict]]]
    flow_specs: dict[str, dict]


def read_file(path: str | Path) -> dict:
    """Parse a YAML or JSON data file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read data file {path}: {exc}") from exc
    try:
        raw = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise DataError(f"cannot parse data file {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise DataError(f"data file {path} must hold a mapping at the top level")
    return raw


def make_etag(*parts: str) -> str:
    """A deterministic etag in the service's format: a quoted Cosmos-like version string."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f'"{digest[:8]}-0000-0200-0000-{digest[8:20]}"'


def generated_id(index: int, role: int) -> str:
    """Id of the ``role`` resource (1 flow, 2 target, 3 base, 4 source connection) of generated flow ``index``."""
    return f"{GENERATED_PREFIX}{index:08d}{role:04d}"


def _access_key(index: int) -> str:
    letters = "".join("ABCDEFGHIJ"[int(digit)] for digit in f"{index:08d}")
    return "GENERATEDKEY" + letters


def generate(count: int) -> dict[str, list[dict]]:
    """Raw resources of ``count`` synthetic Amazon S3 destination dataflows (deterministic)."""
    width = max(4, len(str(count)))
    made: dict[str, list[dict]] = {name: [] for name in SANDBOXED}
    for index in range(1, count + 1):
        label = f"{index:0{width}d}"
        flow_id, target_id, base_id, source_id = (generated_id(index, role) for role in (1, 2, 3, 4))
        made["connections"].append({
            "id": base_id, "name": f"Generated S3 account {label}", "connectionSpec": dict(S3_SPEC),
            "auth": {"specName": "Access Key", "params": {
                "s3AccessKey": _access_key(index), "s3SecretKey": f"generated/secret/key/for/emulator/{index:06d}"[-40:],
                "authorizedDate": "2024-01-01"}}})
        made["targetConnections"].append({
            "id": target_id, "name": f"Generated S3 target {label}", "baseConnectionId": base_id, "connectionSpec": dict(S3_SPEC),
            "data": {"format": "CSV", "schema": None, "properties": None},
            "params": {"mode": "Server-to-server", "bucketName": f"generated-bucket-{label}", "path": f"exports/{label}",
                       "fileType": "CSV", "compression": "NONE",
                       "csvOptions": {"delimiter": ",", "quote": '"', "escape": "\\", "nullValue": "null", "emptyValue": ""}}})
        made["sourceConnections"].append({
            "id": source_id, "name": f"Profile source {label}", "baseConnectionId": PROFILE_BASE_CONNECTION,
            "connectionSpec": dict(PROFILE_SPEC), "typeInfo": {"type": "ProfileFragments", "id": "ups"}})
        made["flows"].append({
            "id": flow_id, "name": f"Generated S3 export {label}", "description": f"Synthetic dataflow number {index} for scale tests",
            "flowSpec": dict(S3_FLOW_SPEC), "state": "enabled",
            "sourceConnectionIds": [source_id], "targetConnectionIds": [target_id],
            "transformations": [{"name": "GeneralTransform", "params": {"segmentSelectors": {"selectors": [
                {"type": "PLATFORM_SEGMENT", "value": {"id": f"6e5e6000-0000-4000-8000-{index:012d}", "name": f"Generated audience {label}"}}]}}}]})
    return made


def is_destination_spec(spec: dict | None) -> bool:
    """Whether a connection spec describes a destination (its targetSpec says so)."""
    ui_attributes = (((spec or {}).get("targetSpec") or {}).get("attributes") or {}).get("uiAttributes") or {}
    return bool(ui_attributes.get("isDestination"))


def _ref(spec: object) -> dict | None:
    return copy.deepcopy(spec) if isinstance(spec, dict) else None


def flow_inherited_attributes(flow: dict, lookup, specs: dict[str, dict]) -> dict:
    """The ``inheritedAttributes`` of a flow, built from its source and target connections.

    ``lookup(collection, id)`` returns a stored resource of the flow's sandbox or None.
    """
    def connection_entries(collection: str, ids: list) -> list[dict]:
        entries = []
        for cid in ids:
            entry: dict = {"id": cid}
            connection = lookup(collection, cid)
            if connection is not None:
                entry["connectionSpec"] = _ref(connection.get("connectionSpec"))
                base_id = connection.get("baseConnectionId")
                if base_id:
                    base = lookup("connections", base_id)
                    base_spec = base.get("connectionSpec") if base else connection.get("connectionSpec")
                    entry["baseConnection"] = {"id": base_id, "connectionSpec": _ref(base_spec)}
                if "typeInfo" in connection:
                    entry["typeInfo"] = copy.deepcopy(connection["typeInfo"])
            entries.append(entry)
        return entries

    targets = connection_entries("targetConnections", flow.get("targetConnectionIds") or [])
    destination = any(is_destination_spec(specs.get((entry.get("connectionSpec") or {}).get("id"))) for entry in targets)
    return {"properties": {"isDestinationFlow": destination},
            "sourceConnections": connection_entries("sourceConnections", flow.get("sourceConnectionIds") or []),
            "targetConnections": targets}


def _clients(raw: dict, org: str) -> tuple[list[Client], dict[str, str]]:
    clients, static_tokens = [], {}
    for item in raw.get("clients") or []:
        try:
            client = Client(client_id=str(item["client_id"]), client_secret=str(item["client_secret"]),
                            org=str(item.get("org", org)), scopes=tuple(item.get("scopes") or ()))
        except (KeyError, TypeError) as exc:
            raise DataError(f"each client needs client_id and client_secret: {item!r}") from exc
        clients.append(client)
        for token in item.get("static_tokens") or []:
            static_tokens[str(token)] = client.client_id
    if not clients:
        raise DataError("the data set defines no client")
    return clients, static_tokens


def _normalise_resource(item: dict, sandbox: str, collection: str, org: str, sandbox_info: dict, stamp: int, defaults: dict) -> dict:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        raise DataError(f"every {collection} item in sandbox {sandbox} needs a string id: {item!r}")
    created = item.get("createdAt", stamp)
    audit = {"id": item["id"], "createdAt": created, "updatedAt": item.get("updatedAt", created),
             "createdBy": defaults.get("createdBy", "demo-user@AdobeID"), "updatedBy": defaults.get("updatedBy", "demo-user@AdobeID"),
             "createdClient": defaults.get("createdClient", "exc_app"), "updatedClient": defaults.get("updatedClient", "exc_app"),
             "sandboxId": sandbox_info["id"], "sandboxName": sandbox, "imsOrgId": org}
    result = {**audit, **copy.deepcopy(item)}
    if collection != "runs":  # a run's status is in metrics.statusSummary
        result.setdefault("state", "enabled")
    etag = result.get("etag") or result.get("version") or make_etag(sandbox, collection, item["id"])
    result["version"] = result["etag"] = etag
    return result


def _normalise_sandbox(sandbox: str, raw_resources: dict, org: str, info: dict, specs: dict, defaults: dict, clock: list[int]) -> dict:
    resources: dict[str, dict[str, dict]] = {name: {} for name in SANDBOXED}
    for collection in SANDBOXED:
        for item in raw_resources.get(collection) or []:
            clock[0] += 1000
            normalised = _normalise_resource(item, sandbox, collection, org, info, BASE_TIME_MS + clock[0], defaults)
            if normalised["id"] in resources[collection]:
                raise DataError(f"duplicate {collection} id {normalised['id']} in sandbox {sandbox}")
            resources[collection][normalised["id"]] = normalised

    def lookup(collection: str, rid: str) -> dict | None:
        return resources[collection].get(rid)

    for target in [*resources["targetConnections"].values(), *resources["sourceConnections"].values()]:
        if "inheritedAttributes" not in target and target.get("baseConnectionId"):
            base = lookup("connections", target["baseConnectionId"])
            spec = (base or target).get("connectionSpec")
            target["inheritedAttributes"] = {"baseConnection": {"id": target["baseConnectionId"], "connectionSpec": _ref(spec)}}
    for flow in resources["flows"].values():
        if "inheritedAttributes" not in flow:
            flow["inheritedAttributes"] = flow_inherited_attributes(flow, lookup, specs)
        flow.setdefault("runs", f"/runs?property=flowId=={flow['id']}")
    return resources


def build_dataset(raw: dict, generate_count: int = 0) -> Dataset:
    """Normalise a raw data mapping (as read from a file) and add ``generate_count`` synthetic flows in prod."""
    org = raw.get("org")
    if not isinstance(org, str) or not org:
        raise DataError("the data set needs an 'org' (an IMS organization id ending in @AdobeOrg)")
    clients, static_tokens = _clients(raw, org)
    sandboxes = {}
    for item in raw.get("sandboxes") or []:
        if not isinstance(item, dict) or not item.get("name"):
            raise DataError(f"each sandbox needs a name: {item!r}")
        name = str(item["name"])
        sandboxes[name] = {"id": str(item.get("id") or make_etag("sandbox", name).strip('"')), "title": item.get("title", name)}
    if "prod" not in sandboxes:
        sandboxes["prod"] = {"id": make_etag("sandbox", "prod").strip('"'), "title": "Production"}
    specs = {}
    for spec in raw.get("connectionSpecs") or []:
        if not isinstance(spec, dict) or not spec.get("id"):
            raise DataError(f"each connection spec needs an id: {spec!r}")
        specs[spec["id"]] = {"version": "1.0", **copy.deepcopy(spec)}
    flow_specs = {}
    for spec in raw.get("flowSpecs") or []:
        if not isinstance(spec, dict) or not spec.get("id"):
            raise DataError(f"each flow spec needs an id: {spec!r}")
        flow_specs[spec["id"]] = {"version": "1.0", **copy.deepcopy(spec)}
    raw_resources = copy.deepcopy(raw.get("resources") or {})
    for sandbox, runs in (raw.get("runs") or {}).items():
        held = raw_resources.setdefault(sandbox, {})
        held["runs"] = list(held.get("runs") or []) + list(runs or [])
    unknown = set(raw_resources) - set(sandboxes)
    if unknown:
        raise DataError(f"resources given for undeclared sandboxes: {', '.join(sorted(unknown))}")
    if generate_count:
        prod = raw_resources.setdefault("prod", {})
        for collection, items in generate(generate_count).items():
            prod[collection] = list(prod.get(collection) or []) + items
    defaults = raw.get("defaults") or {}
    clock = [0]
    resources = {name: _normalise_sandbox(name, raw_resources.get(name) or {}, org, info, specs, defaults, clock)
                 for name, info in sandboxes.items()}
    return Dataset(org=org, clients=clients, static_tokens=static_tokens, sandboxes=sandboxes, specs=specs, resources=resources,
                   flow_specs=flow_specs)


def load(path: str | Path | None = None, generate_count: int = 0) -> Dataset:
    """Read and normalise a data file (the built-in demo data when ``path`` is None)."""
    return build_dataset(read_file(path or BUILTIN_DATA), generate_count)
