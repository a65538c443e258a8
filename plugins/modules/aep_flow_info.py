#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aep_flow_info
short_description: Look up Adobe Experience Platform destination dataflows and their connections
version_added: 1.0.0
description:
  - Reads dataflows from the Flow Service API, by id, by exact name or by raw property filters, and returns each
    with the ids of its target, base and source connections.
  - With O(include_connections=true) also returns the target and base connections themselves, secrets masked.
  - This is the first step of Adobe's tutorial "Edit destination connections", finding the target connection and
    the base connection behind a destination dataflow.
  - Never changes anything.
author:
  - aep.flow_service contributors (@aep-flow-service)
extends_documentation_fragment:
  - aep.flow_service.connection
  - aep.flow_service.connection.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: N/A
  platform:
    platforms: all
options:
  id:
    description:
      - The id of one dataflow. An id that does not exist returns an empty RV(flows) list.
    type: str
  name:
    description:
      - The exact name of the dataflows to return.
    type: str
  property:
    description:
      - Raw Flow Service property filters such as C(state==enabled) or
        C(inheritedAttributes.targetConnections[].connectionSpec.id==4fce964d-3f37-408f-9778-e597338a21ee).
      - Several filters are combined with AND; a comma inside one filter means OR.
    type: list
    elements: str
    default: []
  destinations_only:
    description:
      - Return destination dataflows only (C(inheritedAttributes.properties.isDestinationFlow==true)).
      - Ignored when O(id) is given.
    type: bool
    default: true
  include_connections:
    description:
      - Also read each flow's target and base connections (one request per connection, plus one per distinct
        connection spec, read to know which auth values are secret) and return them in
        RV(flows[].target_connections) and RV(flows[].base_connections), secret auth values masked.
    type: bool
    default: false
notes:
  - All pages are read; a listing costs one request per page of 100 flows.
seealso:
  - module: aep.flow_service.aep_target_connection
  - module: aep.flow_service.aep_base_connection
"""

EXAMPLES = r"""
- name: Find the tutorial's dataflow and its connections
  aep.flow_service.aep_flow_info:
    id: 226fb2e1-db69-4760-b67e-9e671e05abfc
  register: flow

- name: Show where it exports
  ansible.builtin.debug:
    msg: >-
      target {{ flow.flows[0].target_connection_ids[0] }},
      base {{ flow.flows[0].base_connection_ids[0] }}

- name: Every enabled Amazon S3 destination dataflow in the dev sandbox, with its connections
  aep.flow_service.aep_flow_info:
    sandbox: dev
    property:
      - state==enabled
      - inheritedAttributes.targetConnections[].connectionSpec.id==4fce964d-3f37-408f-9778-e597338a21ee
    include_connections: true
  register: s3_flows

- name: Set the connection options once for the whole play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/aep.flow_service.aep:
      client_id: "{{ vault_aep_client_id }}"
      client_secret: "{{ vault_aep_client_secret }}"
      org_id: 0123456789ABCDEF01234567@AdobeOrg
      token_cache: true
  tasks:
    - name: Look up a dataflow by name
      aep.flow_service.aep_flow_info:
        name: 2021 winter campaign
"""

RETURN = r"""
flows:
  description:
    - The matching dataflows as the API returns them, each with the extra keys below. Empty when nothing matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The dataflow id.
      type: str
      sample: 226fb2e1-db69-4760-b67e-9e671e05abfc
    name:
      description: The dataflow name.
      type: str
      sample: 2021 winter campaign
    state:
      description: V(enabled) or V(disabled).
      type: str
      sample: enabled
    etag:
      description: The current version of the dataflow, with its double quotes.
      type: str
      sample: '"8b0351ca-0000-0200-0000-61c4d6700000"'
    target_connection_ids:
      description: Ids of the flow's target connections.
      type: list
      elements: str
      sample: [8ce3dc63-3766-4220-9f61-51d2f8f14618]
    base_connection_ids:
      description: Ids of the base connections behind those target connections, in the same order, without duplicates.
      type: list
      elements: str
      sample: [7fbf542b-83ed-498f-8838-8fde0c4d4d69]
    source_connection_ids:
      description: Ids of the flow's source connections.
      type: list
      elements: str
      sample: [5e45582a-5336-4ea1-9ec9-d0004a9f344a]
    target_connections:
      description: The target connections, as the API returns them.
      returned: when O(include_connections=true)
      type: list
      elements: dict
    base_connections:
      description: The base connections, as the API returns them, secret auth values replaced by C(********).
      returned: when O(include_connections=true)
      type: list
      elements: dict
"""

from ansible_collections.aep.flow_service.plugins.module_utils._client import ApiError
from ansible_collections.aep.flow_service.plugins.module_utils._connections import (
    SpecReader,
    base_connection_ids,
    connection_secrets,
    mask_connection,
)
from ansible_collections.aep.flow_service.plugins.module_utils._converge import ConvergeError
from ansible_collections.aep.flow_service.plugins.module_utils._module import AepModule


def describe(flow):
    """The flow plus the connection ids an operator needs next."""
    flow = dict(flow)
    flow["target_connection_ids"] = list(flow.get("targetConnectionIds") or [])
    flow["source_connection_ids"] = list(flow.get("sourceConnectionIds") or [])
    flow["base_connection_ids"] = base_connection_ids(flow)
    return flow


def main():
    module = AepModule(
        argument_spec=dict(
            id=dict(type="str"),
            name=dict(type="str"),
            property=dict(type="list", elements="str", default=[]),
            destinations_only=dict(type="bool", default=True),
            include_connections=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("id", "name")],
        supports_check_mode=True,
    )
    params = module.params
    if params["id"] is not None and not params["id"].strip():
        module.fail_json(msg="id must not be empty")
    client = module.client
    action = "Reading dataflows"
    try:
        if params["id"]:
            action = "Reading dataflow %s" % params["id"]
            flow = client.get_item("flows", params["id"])
            flows = [flow] if flow else []
        else:
            filters = list(params["property"])
            if params["destinations_only"]:
                filters.append("inheritedAttributes.properties.isDestinationFlow==true")
            if params["name"] is not None and "," not in params["name"]:
                filters.append("name==%s" % params["name"])  # a comma would mean OR to the API
            flows = client.list_items("flows", {"property": filters} if filters else None)
            if params["name"] is not None:
                flows = [f for f in flows if f.get("name") == params["name"]]  # filters match loosely; names must not
        flows = [describe(f) for f in flows]
        if params["include_connections"]:
            specs = SpecReader(client)
            for flow in flows:
                action = "Reading the connections of dataflow %s" % flow.get("id")
                targets = [client.get_item("targetConnections", i) for i in flow["target_connection_ids"]]
                flow["target_connections"] = [t for t in targets if t]
                bases = [client.get_item("connections", i) for i in flow["base_connection_ids"]]
                flow["base_connections"] = [mask_connection(b, connection_secrets(b, specs.for_connection(b)))
                                            for b in bases if b]
    except ApiError as exc:
        module.fail_from_api_error(exc, action)
    except ConvergeError as exc:
        module.fail_json(msg="%s failed: %s" % (action, exc))
    module.exit_json(changed=False, flows=flows)


if __name__ == "__main__":
    main()
