#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aep_target_connection
short_description: Change the parameters of an Adobe Experience Platform destination's target connection
version_added: 1.0.0
description:
  - Brings a target connection's parameters (export bucket and path, file options, Pinterest advertiser id,
    Google Ad Manager options...) and optionally its name and description to the values you declare.
  - Reads the connection and its connection spec, validates O(params) against the spec, and sends a JSON Patch
    with one operation per parameter that really differs, with C(If-Match) carrying the etag just read.
    When nothing differs, nothing is sent and the task reports C(ok).
  - Parameters you do not list are left as they are, even if someone changes them at the same moment.
    If the connection changed between the read and the write (HTTP 412), it is read again and the
    patch recomputed.
author:
  - aep.flow_service contributors (@aep-flow-service)
extends_documentation_fragment:
  - aep.flow_service.connection
  - aep.flow_service.connection.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Sends no write; RV(target_connection) is the predicted result and RV(patch) what would be sent.
  diff_mode:
    support: full
    details: Shows the name, description and params before and after.
  platform:
    platforms: all
options:
  id:
    description:
      - The target connection id.
      - With O(flow_id), picks one of the flow's target connections and must belong to it.
    type: str
  flow_id:
    description:
      - A destination dataflow id; its target connection is the one changed.
      - When the flow has more than one target connection, O(id) must pick one.
    type: str
  params:
    description:
      - The desired target parameters, with the API's names (C(bucketName), C(path), C(advertiser_id),
        C(appendSegmentId)...). Only the keys listed are managed.
      - A nested object such as C(csvOptions) is merged key by key, like the top level, with one JSON Patch
        operation per nested key that differs (C(/params/csvOptions/delimiter)). So a C(csvOptions) that gives
        only a C(delimiter) changes the delimiter and keeps the quote, escape, null and empty values.
      - Values are checked against the connection spec's C(targetSpec) before any write (types, C(enum),
        C(const), C(oneOf), C(anyOf), C(allOf), patterns, lengths, bounds, nested objects, and Adobe's
        C(conditional) keyword), and coerced like module options (V(1234) becomes V("1234") where the spec wants
        a string).
      - Adobe's published specs are open (no C(additionalProperties)), so the API accepts keys they do not
        declare, such as C(mode), which every Adobe example sends. To catch typos, a key that is neither declared
        by the spec nor already in the connection's params fails, naming the closest valid key; list it in
        O(allow_undeclared_params) to send it on purpose. C(mode) is always accepted. A spec that sets
        C(additionalProperties=false) accepts no other key at all.
    type: dict
  allow_undeclared_params:
    description:
      - Keys of O(params) that the connection spec does not declare and the connection does not hold yet, to send
        on purpose. Nested keys are written with dots, for example C(csvOptions.lineSep).
      - Without it such a key fails as a probable typo, before any write.
    type: list
    elements: str
    default: []
  purge_params:
    description:
      - Remove every parameter that O(params) does not list, at every level (with C(csvOptions) given, the CSV
        options it does not list are removed too).
      - Needs a non-empty O(params); V(true) with an empty O(params) fails before any request rather than
        remove every parameter.
      - Never removes a parameter the connection spec requires (the task fails, before any write, naming it),
        nor C(mode), which no published spec declares but every Adobe target connection carries; list it in
        O(params) when purging a connection that has it.
      - In check mode and diff mode, RV(patch) lists one C(remove) operation per parameter that would be
        removed, and RV(removed_params) names them.
    type: bool
    default: false
  name:
    description: The desired name of the target connection.
    type: str
  description:
    description: The desired description of the target connection.
    type: str
seealso:
  - module: aep.flow_service.aep_flow_info
  - module: aep.flow_service.aep_base_connection
"""

EXAMPLES = r"""
- name: Move the tutorial's Amazon S3 export to a new bucket and path
  aep.flow_service.aep_target_connection:
    flow_id: 226fb2e1-db69-4760-b67e-9e671e05abfc
    params:
      bucketName: acme-exports-2026
      path: audiences/winter

- name: Google Ad Manager - append the audience id to the audience name
  aep.flow_service.aep_target_connection:
    id: 3f1c2a40-5b6d-4e8f-9a01-2b3c4d5e6f70
    params:
      appendSegmentId: true

- name: Pinterest - change the advertiser id
  aep.flow_service.aep_target_connection:
    flow_id: "{{ pinterest_flow_id }}"
    params:
      advertiser_id: "1234567890"

- name: Own the whole parameter set of an Azure Blob export (unlisted params are removed)
  aep.flow_service.aep_target_connection:
    id: "{{ azure_target_connection_id }}"
    params:
      mode: Server-to-server
      container: acme-exports
      path: audiences
      fileType: CSV
      compression: GZIP
    purge_params: true

- name: Semicolon-separated CSV files (the other CSV options are kept)
  aep.flow_service.aep_target_connection:
    flow_id: 226fb2e1-db69-4760-b67e-9e671e05abfc
    params:
      csvOptions:
        delimiter: ";"

- name: Send a param the connection spec does not declare, on purpose
  aep.flow_service.aep_target_connection:
    id: "{{ s3_target_connection_id }}"
    params:
      exportTimezone: UTC
    allow_undeclared_params: [exportTimezone]

- name: Preview a change without writing it
  aep.flow_service.aep_target_connection:
    flow_id: 226fb2e1-db69-4760-b67e-9e671e05abfc
    params:
      path: audiences/spring
  check_mode: true
  diff: true
  register: preview
"""

RETURN = r"""
target_connection:
  description:
    - The target connection after the change, as the API returns it. In check mode and after a write it is the
      predicted resource (the state read, with RV(patch) applied) with the new etag; no extra read is made.
  returned: success
  type: dict
  sample:
    id: 8ce3dc63-3766-4220-9f61-51d2f8f14618
    name: Amazon S3 target connection
    params: {bucketName: acme-exports-2026, path: audiences/winter, fileType: CSV, compression: NONE}
    etag: '"00000000-0000-0000-0000-000000000002"'
removed_params:
  description:
    - The params removed (or, in check mode, that would be removed) by O(purge_params), as dotted paths
      (C(csvOptions.quote)). Empty when nothing is removed.
  returned: success
  type: list
  elements: str
  sample: [csvOptions.quote, appendSegmentId]
msg:
  description:
    - What the task did, in words; in check mode it says V(would change) and that nothing was sent. Operations
      are named by their path only, never with values.
  returned: success
  type: str
  sample: 'target connection 8ce3dc63-3766-4220-9f61-51d2f8f14618: would change (check mode, nothing was sent): replace /params/path'
etag:
  description: The etag of the target connection after the task (the new one after a write).
  returned: success
  type: str
  sample: '"00000000-0000-0000-0000-000000000002"'
patch:
  description: The JSON Patch operations sent (or, in check mode, that would be sent). Empty when nothing differed.
  returned: success
  type: list
  elements: dict
  sample:
    - {op: replace, path: /params/bucketName, value: acme-exports-2026}
    - {op: replace, path: /params/path, value: audiences/winter}
write_unconfirmed:
  description:
    - Set when the task failed after a write got no usable answer (the connection dropped or timed out, a
      gateway answered 502, 503 or 504, or a success answer could not be read), so the write may have been
      applied anyway. Run the task again to see the current state and converge.
    - When the read that follows such a write shows that it landed, the task succeeds instead, with
      C(changed=true) and the operations of that write in RV(patch).
  returned: on failure, when a write got no usable answer
  type: bool
  sample: true
"""

from ansible_collections.aep.flow_service.plugins.module_utils._connections import TARGET_MODULE_IDS, purge_problem, resolve_target_id
from ansible_collections.aep.flow_service.plugins.module_utils._kinds import TargetConnection
from ansible_collections.aep.flow_service.plugins.module_utils._module import (
    CONNECTION_MODULE_OPTIONS,
    AepModule,
    connection_id,
    converge_and_exit,
)


def main():
    module = AepModule(
        argument_spec=dict(
            CONNECTION_MODULE_OPTIONS,
            params=dict(type="dict"),
            allow_undeclared_params=dict(type="list", elements="str", default=[]),
            purge_params=dict(type="bool", default=False),
        ),
        required_one_of=[("id", "flow_id")],
        supports_check_mode=True,
    )
    p = module.params
    target_id = connection_id(module, [purge_problem(p["params"], p["purge_params"])],
                              resolve_target_id, p["id"], None, TARGET_MODULE_IDS)
    kind = TargetConnection(module.api.specs, module.client, p["params"], p["purge_params"], p["name"],
                            p["description"], p["allow_undeclared_params"])
    converge_and_exit(module, kind, target_id)


if __name__ == "__main__":
    main()
