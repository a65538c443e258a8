# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""What aep_flow_info lists: the dataflows asked for, their destinations named, and (on request) their
connections with every secret masked."""

from __future__ import annotations

from ansible_collections.aep.flow_service.plugins.module_utils._connections import (
    base_connection_ids,
    connection_secrets,
    mask_connection,
)
from ansible_collections.aep.flow_service.plugins.module_utils._errors import NotFound
from ansible_collections.aep.flow_service.plugins.module_utils._location import (
    flow_targets,
    location_params,
    public_params,
    spec_name,
)
from ansible_collections.aep.flow_service.plugins.module_utils._schema import (
    auth_schema,
    mask_secrets,
    secret_fields,
    target_schema,
)
from ansible_collections.aep.flow_service.plugins.module_utils._specs import spec_ref


def find_flows(client, flow_id, name, properties, destinations_only):
    """The dataflows asked for, described: one by id, or the list the filters and the exact name select."""
    if flow_id:
        flow = client.get_item("flows", flow_id)
        flows = [flow] if flow else []
    else:
        filters = list(properties)
        if destinations_only:
            filters.append("inheritedAttributes.properties.isDestinationFlow==true")
        if name is not None and "," not in name:
            filters.append("name==%s" % name)  # a comma would mean OR to the API
        flows = client.list_items("flows", {"property": filters} if filters else None)
        if name is not None:
            flows = [f for f in flows if f.get("name") == name]  # filters match loosely; names must not
    return [describe(f) for f in flows]


def describe(flow):
    """The flow plus the connection ids an operator needs next."""
    flow = dict(flow)
    flow["target_connection_ids"] = list(flow.get("targetConnectionIds") or [])
    flow["source_connection_ids"] = list(flow.get("sourceConnectionIds") or [])
    flow["base_connection_ids"] = base_connection_ids(flow)
    return flow


class Specs:
    """Connection specs by id, each read once per run (``reader``: the run's _specs.SpecReader); a spec that
    cannot be found is None, not an error, because naming a destination must not stop the listing (the spec id
    is still returned)."""

    def __init__(self, reader, client):
        self.reader = reader
        self.client = client
        self.missing = set()

    def get(self, spec_id, version=None):
        if not spec_id or spec_id in self.missing:
            return None
        try:
            return self.reader.get(spec_id, self.client, version)
        except NotFound:
            self.missing.add(spec_id)
            return None


def name_destinations(flow, specs):
    """Add the destination entries and the first one's name and spec id to a described flow."""
    entries = flow_targets(flow)
    versions = dict(spec_ref(target) for target in (flow.get("inheritedAttributes") or {}).get("targetConnections") or [])
    for entry in entries:
        entry["name"] = spec_name(specs.get(entry["spec_id"], versions.get(entry["spec_id"])))
    flow["destinations"] = entries
    flow["destination_name"] = entries[0]["name"] if entries else None
    flow["destination_spec_id"] = entries[0]["spec_id"] if entries else None


def add_connections(client, flow, specs):
    """Read a flow's target and base connections; fill in the non-secret params of its destination entries."""
    entries = {e["target_connection_id"]: e for e in flow["destinations"]}
    targets = []
    for target_id in flow["target_connection_ids"]:
        target = client.get_item("targetConnections", target_id)
        if not target:
            continue
        spec = specs.get(*spec_ref(target))
        secrets = secret_fields(target_schema(spec))
        if secrets and isinstance(target.get("params"), dict):
            target = dict(target, params=mask_secrets(target["params"], secrets))
        targets.append(target)
        if target_id in entries:
            params = public_params(target.get("params"), spec)
            entries[target_id].update(params=params, location=location_params(params))
    flow["target_connections"] = targets
    bases = []
    for base_id in flow["base_connection_ids"]:
        base = client.get_item("connections", base_id)
        if not base:
            continue
        spec = specs.reader.for_connection(base, client)
        schema = auth_schema(spec, (base.get("auth") or {}).get("specName"))
        fields = sorted((schema.get("properties") or {}).keys())
        for entry in flow["destinations"]:
            if entry["base_connection_id"] == base_id:
                entry.update(auth_fields=fields, secret_auth_fields=secret_fields(schema))
        bases.append(mask_connection(base, connection_secrets(base, spec)))
    flow["base_connections"] = bases
