#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aep_base_connection
short_description: Change the credentials of an Adobe Experience Platform destination's base connection
version_added: 1.0.0
description:
  - Rotates a destination's credentials (Amazon S3 access keys, Azure Blob connection string...) and optionally
    sets the base connection's name and description.
  - The Flow Service replaces C(/auth/params) as a whole and never returns secret values (the fields the
    connection spec marks as C(format=password)). So when anything in the auth params must change, the module
    sends the whole object, built from the current non-secret values, the values you give, and the secrets,
    which you must give. If a secret is missing, the module fails without writing, rather than delete a credential.
  - O(auth_params) is checked against the connection spec's C(authSpec) before any write. A key that the spec
    does not declare and the connection does not hold fails, naming the closest valid key (list it in
    O(allow_undeclared_auth_params) to send it on purpose); a spec with C(additionalProperties=false) accepts
    no other key.
  - Every current non-secret auth param is kept when the object is sent, whether the spec declares it or not
    (for example C(authorizedDate), which the service sets on Amazon S3 and Azure Blob connections).
  - Writes carry C(If-Match) with the etag just read. If the connection changed between the read and the
    write (HTTP 412), it is read again and the object rebuilt from the new values.
author:
  - aep.flow_service contributors (@aep-flow-service)
extends_documentation_fragment:
  - aep.flow_service.connection
  - aep.flow_service.connection.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Sends no write; RV(base_connection) is the predicted result and RV(patch) what would be sent.
  diff_mode:
    support: full
    details: Shows the name, description and auth params before and after; secret values appear as C(********).
  platform:
    platforms: all
options:
  id:
    description:
      - The base connection id.
    type: str
  flow_id:
    description:
      - A destination dataflow id; the base connection behind its target connection is the one changed.
    type: str
  auth_params:
    description:
      - The desired auth params, with the names of the connection spec's C(authSpec), for example
        C(s3AccessKey) and C(s3SecretKey) for Amazon S3, C(connectionString) for Azure Blob.
      - Every secret field of the spec must be given whenever the auth params change.
      - Never logged or returned; secret values appear as C(********) in RV(patch), RV(base_connection) and the diff.
    type: dict
  allow_undeclared_auth_params:
    description:
      - Keys of O(auth_params) that the connection spec's C(authSpec) does not declare and the connection does not
        hold yet, to send on purpose. Without it such a key fails as a probable typo, before any write.
    type: list
    elements: str
    default: []
  update_secrets:
    description:
      - When to send the auth params, given that the current secret values cannot be read back and compared.
      - V(always) sends them whenever O(auth_params) holds a secret, and reports C(changed). Use it to rotate
        credentials; every run writes.
      - V(on_change) sends them only when a field that can be compared (a non-secret one such as
        C(s3AccessKey)) differs, so a converge run that changes nothing reports C(ok). A changed secret alone
        is then not detected.
    type: str
    choices: [always, on_change]
    default: always
  name:
    description: The desired name of the base connection.
    type: str
  description:
    description: The desired description of the base connection.
    type: str
notes:
  - The tutorial's Amazon S3 example sends C(accessId) and C(secretKey); the S3 connection spec names them
    C(s3AccessKey) and C(s3SecretKey), and this module follows the spec.
seealso:
  - module: aep.flow_service.aep_flow_info
  - module: aep.flow_service.aep_target_connection
"""

EXAMPLES = r"""
- name: Rotate the Amazon S3 keys of the tutorial's dataflow (writes on every run)
  aep.flow_service.aep_base_connection:
    flow_id: 226fb2e1-db69-4760-b67e-9e671e05abfc
    auth_params:
      s3AccessKey: "{{ vault_s3_access_key }}"
      s3SecretKey: "{{ vault_s3_secret_key }}"

- name: Converge the S3 keys, writing only when the access key differs (idempotent reruns)
  aep.flow_service.aep_base_connection:
    id: 7fbf542b-83ed-498f-8838-8fde0c4d4d69
    auth_params:
      s3AccessKey: "{{ vault_s3_access_key }}"
      s3SecretKey: "{{ vault_s3_secret_key }}"
    update_secrets: on_change

- name: Replace the Azure Blob connection string
  aep.flow_service.aep_base_connection:
    flow_id: "{{ azure_flow_id }}"
    auth_params:
      connectionString: "{{ vault_azure_connection_string }}"

- name: Rename a base connection (no credentials needed)
  aep.flow_service.aep_base_connection:
    id: 7fbf542b-83ed-498f-8838-8fde0c4d4d69
    name: ACME S3 exports (rotated 2026-11)
"""

RETURN = r"""
base_connection:
  description:
    - The base connection after the change, secret auth values replaced by C(********). In check mode and
      after a write it is the predicted resource (the state read, with RV(patch) applied) with the new etag.
  returned: success
  type: dict
  sample:
    id: 7fbf542b-83ed-498f-8838-8fde0c4d4d69
    name: ACME S3
    auth: {specName: Access Key, params: {s3AccessKey: AKIAEXAMPLEEXAMPLE23, s3SecretKey: "********"}}
    etag: '"00000000-0000-0000-0000-000000000002"'
msg:
  description:
    - What the task did, in words; in check mode it says V(would change) and that nothing was sent. Operations
      are named by their path only, never with values.
  returned: success
  type: str
  sample: 'base connection 8ce3dc63-3766-4220-9f61-51d2f8f14618: would change (check mode, nothing was sent): replace /params/path'
etag:
  description: The etag of the base connection after the task (the new one after a write).
  returned: success
  type: str
  sample: '"00000000-0000-0000-0000-000000000002"'
patch:
  description: The JSON Patch operations sent (or that would be sent), secret values replaced by C(********).
  returned: success
  type: list
  elements: dict
  sample:
    - {op: replace, path: /auth/params, value: {s3AccessKey: AKIAEXAMPLEEXAMPLE23, s3SecretKey: "********"}}
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

from ansible_collections.aep.flow_service.plugins.module_utils._connections import BASE_MODULE_IDS, UPDATE_SECRETS_CHOICES, resolve_base_id
from ansible_collections.aep.flow_service.plugins.module_utils._kinds import BaseConnection
from ansible_collections.aep.flow_service.plugins.module_utils._module import (
    CONNECTION_MODULE_OPTIONS,
    AepModule,
    connection_id,
    converge_and_exit,
)

EMPTY_AUTH_PARAMS = "auth_params must not be empty; leave it out to manage only name and description"


def main():
    module = AepModule(
        argument_spec=dict(
            CONNECTION_MODULE_OPTIONS,
            auth_params=dict(type="dict", no_log=True),
            allow_undeclared_auth_params=dict(type="list", elements="str", default=[], no_log=False),
            update_secrets=dict(type="str", choices=list(UPDATE_SECRETS_CHOICES), default="always", no_log=False),
        ),
        required_one_of=[("id", "flow_id")],
        mutually_exclusive=[("id", "flow_id")],
        supports_check_mode=True,
    )
    p = module.params
    base_id = connection_id(module, [EMPTY_AUTH_PARAMS if p["auth_params"] == {} else None],
                            resolve_base_id, None, BASE_MODULE_IDS)
    kind = BaseConnection(module.api.specs, module.client, p["auth_params"], p["update_secrets"], p["name"],
                          p["description"], p["allow_undeclared_auth_params"])
    converge_and_exit(module, kind, base_id)


if __name__ == "__main__":
    main()
