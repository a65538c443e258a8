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
  - Names each dataflow's destination (the name of its connection spec, such as V(Amazon S3)), reading each
    distinct connection spec once per run.
  - With O(include_connections=true) also returns the target and base connections themselves, secrets masked,
    and, per target connection, its non-secret params and where it writes (bucket, container, path).
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
      - Also read each flow's target and base connections (one request per connection) and return them in
        RV(flows[].target_connections) and RV(flows[].base_connections), secret values masked, and the
        non-secret target params in RV(flows[].destinations).
    type: bool
    default: false
notes:
  - All pages are read; a listing costs one request per page of 100 flows, plus one request per distinct
    connection spec (for the destination names and to know which values are secret).
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

- name: Say what each destination is and where it writes
  aep.flow_service.aep_flow_info:
    include_connections: true
  register: all_flows

- name: One line per destination
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.destination_name }} {{ item.destinations[0].location | default({}) }}"
  loop: "{{ all_flows.flows }}"
  loop_control:
    label: "{{ item.id }}"

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
sandbox:
  description: The sandbox the dataflows were read from.
  returned: always
  type: str
  sample: prod
platform_url:
  description: The Platform API the dataflows were read from.
  returned: always
  type: str
  sample: https://platform.adobe.io
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
    destination_name:
      description:
        - What the destination is, the name of the connection spec of the flow's first target connection,
          such as V(Amazon S3), V(Azure Blob Storage) or V(Pinterest).
        - Null when the flow has no target connection or its connection spec cannot be read.
      type: str
      sample: Amazon S3
    destination_spec_id:
      description: The id of that connection spec; null when the flow has no target connection.
      type: str
      sample: 4fce964d-3f37-408f-9778-e597338a21ee
    destinations:
      description: One entry per target connection, in the order of RV(flows[].target_connection_ids).
      type: list
      elements: dict
      contains:
        target_connection_id:
          description: The target connection id.
          type: str
          sample: 8ce3dc63-3766-4220-9f61-51d2f8f14618
        base_connection_id:
          description: The base connection behind it, or null.
          type: str
          sample: 7fbf542b-83ed-498f-8838-8fde0c4d4d69
        spec_id:
          description: Its connection spec id.
          type: str
          sample: 4fce964d-3f37-408f-9778-e597338a21ee
        name:
          description: Its connection spec's name, the destination type; null when the spec cannot be read.
          type: str
          sample: Amazon S3
        params:
          description:
            - The target connection's params, without any that its connection spec marks secret
              (C(format) V(password)). Never holds an auth param.
          returned: when O(include_connections=true) and the target connection exists
          type: dict
          sample: {bucketName: acme-winter-campaign, path: exports/2021-winter, fileType: CSV}
        location:
          description:
            - Where a file destination writes, the params among C(bucketName), C(container), C(remotePath)
              and C(path) that it has; empty for other destinations.
          returned: when O(include_connections=true) and the target connection exists
          type: dict
          sample: {bucketName: acme-winter-campaign, path: exports/2021-winter}
        auth_fields:
          description: The names of the auth params the base connection's auth spec declares (names only).
          returned: when O(include_connections=true) and the base connection exists
          type: list
          elements: str
          sample: [s3AccessKey, s3SecretKey]
        secret_auth_fields:
          description: Which of those are secret (C(format) V(password)); their values are never returned.
          returned: when O(include_connections=true) and the base connection exists
          type: list
          elements: str
          sample: [s3SecretKey]
    target_connections:
      description: The target connections, as the API returns them, any param the spec marks secret masked.
      returned: when O(include_connections=true)
      type: list
      elements: dict
    base_connections:
      description: The base connections, as the API returns them, secret auth values replaced by C(********).
      returned: when O(include_connections=true)
      type: list
      elements: dict
"""

from ansible_collections.aep.flow_service.plugins.module_utils._errors import AepError
from ansible_collections.aep.flow_service.plugins.module_utils._flow_info import Specs, add_connections, find_flows, name_destinations
from ansible_collections.aep.flow_service.plugins.module_utils._ids import id_problems
from ansible_collections.aep.flow_service.plugins.module_utils._module import AepModule


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
    problems = id_problems({"id": params["id"]})
    if problems:
        module.fail_json(msg="; ".join(problems))
    client = module.client
    action = "Reading dataflows"
    try:
        if params["id"]:
            action = "Reading dataflow %s" % params["id"]
        flows = find_flows(client, params["id"], params["name"], params["property"], params["destinations_only"])
        specs = Specs(module.api.specs, client)
        action = "Reading connection specs"
        for flow in flows:
            name_destinations(flow, specs)
        if params["include_connections"]:
            for flow in flows:
                action = "Reading the connections of dataflow %s" % flow.get("id")
                add_connections(client, flow, specs)
    except AepError as exc:
        module.fail_for(exc, action)
    module.exit_json(changed=False, flows=flows, sandbox=params["sandbox"], platform_url=params["platform_url"])


if __name__ == "__main__":
    main()
