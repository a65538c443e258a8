#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aep_destination_connections
short_description: Converge many Adobe Experience Platform destinations' connections in one task
version_added: 1.0.0
description:
  - Brings the target connection (export location and other params) and the base connection (credentials) of
    every listed destination to the declared values, in one task, several destinations at a time.
  - Each connection goes through the same read, compare and write as M(aep.flow_service.aep_target_connection)
    and M(aep.flow_service.aep_base_connection) - one GET, a JSON Patch only for real differences, C(If-Match)
    with the etag just read, a new read on HTTP 412 - so a rerun sends no write and a concurrent edit is kept.
  - Use it for long lists. A task costs Ansible about three quarters of a CPU-second before it sends a request;
    this module pays that once for the whole list and keeps O(workers) requests in flight. It is what the role
    C(aep.flow_service.destination_connections) runs.
  - Every destination is tried, even when others fail. The task fails at the end if any failed, and
    RV(destinations) says what happened to each.
  - Checks every item before any request. Params and auth params are checked against the connection spec of
    each connection when it is read; a destination that fails that check gets no write.
  - Items that address the same connection (two dataflows sharing one base connection, for example) are
    converged one after the other, in no set order; give them the same values.
author:
  - aep.flow_service contributors (@aep-flow-service)
extends_documentation_fragment:
  - aep.flow_service.connection
  - aep.flow_service.connection.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Sends no write; RV(destinations) holds the predicted outcome and the patches that would be sent.
  diff_mode:
    support: full
    details: One before/after per connection that changes, headed by the destination's label; secrets masked.
  platform:
    platforms: all
options:
  destinations:
    description:
      - The destinations to converge.
      - Each is addressed by O(destinations[].flow_id), or by the ids of its connections.
      - Only what an item sets is managed; a key left out is left as it is on the server.
    type: list
    elements: dict
    required: true
    suboptions:
      label:
        description:
          - A short name of the destination, used in RV(destinations), in the diff headers and in messages.
          - Defaults to the name of the dataflow O(destinations[].flow_id) once it is read, otherwise to the
            first of O(destinations[].flow_id), O(destinations[].target_connection_id) and
            O(destinations[].base_connection_id) that is set (problems found before any request name the item
            by that id).
        type: str
      flow_id:
        description:
          - The destination dataflow id. Its target connection, and the base connection behind it, are the ones
            changed. The dataflow is read once for both.
          - With O(destinations[].target_connection_id), picks one target connection of a dataflow that has
            several (then the base connection must be given by id too).
        type: str
      target_connection_id:
        description:
          - The target connection id. Needed for target changes when O(destinations[].flow_id) is not given.
        type: str
      base_connection_id:
        description:
          - The base connection id. Needed for credential changes when O(destinations[].flow_id) is not given;
            wins over it when both are given.
        type: str
      sandbox:
        description: The sandbox of this destination; defaults to O(sandbox).
        type: str
      params:
        description:
          - The desired target connection params, with the API's names (C(bucketName), C(path), C(container),
            C(advertiser_id), C(appendSegmentId)...). Params not listed are left alone.
          - Checked and coerced against the connection spec, as M(aep.flow_service.aep_target_connection) does;
            nested objects such as C(csvOptions) are merged key by key.
        type: dict
      allow_undeclared_params:
        description:
          - Keys of O(destinations[].params) that the connection spec does not declare and the connection does not
            hold yet, to send on purpose (dotted for nested keys, C(csvOptions.lineSep)); see
            M(aep.flow_service.aep_target_connection).
        type: list
        elements: str
      purge_params:
        description:
          - Remove every target param that O(destinations[].params) does not list, at every level. Defaults to
            O(purge_params).
          - Needs a non-empty O(destinations[].params) (checked for every item before any request) and never
            removes a param the connection spec requires.
        type: bool
      name:
        description: The desired name of the target connection.
        type: str
      description:
        description: The desired description of the target connection.
        type: str
      auth_params:
        description:
          - The desired auth params of the base connection, with the names of its connection spec (C(s3AccessKey)
            and C(s3SecretKey) for Amazon S3, C(connectionString) for Azure Blob).
          - Every secret field of the spec must be given whenever the auth params change, as for
            M(aep.flow_service.aep_base_connection).
        type: dict
      allow_undeclared_auth_params:
        description:
          - Keys of O(destinations[].auth_params) that the spec's C(authSpec) does not declare and the connection
            does not hold yet, to send on purpose.
        type: list
        elements: str
      update_secrets:
        description: When to send O(destinations[].auth_params); defaults to O(update_secrets).
        type: str
        choices: [always, on_change]
      base_name:
        description: The desired name of the base connection.
        type: str
      base_description:
        description: The desired description of the base connection.
        type: str
      dataflow:
        description:
          - The dataflow O(destinations[].flow_id) itself - name, state, audiences, profile attributes - with the
            options of M(aep.flow_service.aep_flow) (without C(id)), converged in the same worker after the
            connections. See that module for the rules and for each option's details.
        type: dict
        suboptions:
          name:
            description: The desired name of the dataflow.
            type: str
          description:
            description: The desired description of the dataflow.
            type: str
          enabled:
            description: Whether the dataflow runs (C(op=enable) or C(op=disable), sent only when the state differs).
            type: bool
          audiences:
            description: The audiences the dataflow exports, matched by id; only the keys given are managed.
            type: list
            elements: dict
            suboptions:
              id:
                description: The audience id.
                type: str
                required: true
              name:
                description: The audience name.
                type: str
              description:
                description: The audience description.
                type: str
              filenameTemplate:
                description: File-based destinations only; with C(%DESTINATION_NAME%) and C(%SEGMENT_ID%).
                type: str
              exportMode:
                description: File-based destinations only; C(DAILY_FULL_EXPORT) or C(FIRST_FULL_THEN_INCREMENTAL).
                type: str
              schedule:
                description: File-based destinations only; when the audience is exported.
                type: dict
                suboptions:
                  frequency:
                    description: C(ONCE), C(DAILY) or C(EVERY_3_HOURS), C(EVERY_6_HOURS), C(EVERY_8_HOURS), C(EVERY_12_HOURS).
                    type: str
                  triggerType:
                    description: C(SCHEDULED) or C(AFTER_SEGMENT_EVAL).
                    type: str
                  startDate:
                    description: C(YYYY-MM-DD).
                    type: str
                  startTime:
                    description: C(HH:00).
                    type: str
                  endDate:
                    description: C(YYYY-MM-DD).
                    type: str
          purge_audiences:
            description: Remove the audiences not listed (highest index first).
            type: bool
            default: false
          profile_attributes:
            description: XDM paths of the profile attributes the dataflow exports.
            type: list
            elements: str
          purge_profile_attributes:
            description: Remove the profile attributes not listed.
            type: bool
            default: false
          wait:
            description: Wait until each dataflow write is applied (C(lastOperation) complete).
            type: bool
            default: true
          wait_timeout:
            description: How many seconds to wait for one write at most.
            type: int
            default: 300
  purge_params:
    description: The default of O(destinations[].purge_params).
    type: bool
    default: false
  update_secrets:
    description:
      - When auth params are sent, for items that do not set their own O(destinations[].update_secrets).
      - V(always) sends them on every run where they hold a secret and reports changed; use it to rotate.
      - V(on_change) sends them only when a non-secret field (such as C(s3AccessKey)) differs, so a rerun reports
        ok; a changed secret alone (such as an Azure connection string) is then not sent.
    type: str
    choices: [always, on_change]
    default: always
  workers:
    description:
      - How many destinations are converged at once (threads, each with its own HTTP keep-alive connection).
      - Between 1 and 32. V(1) converges them one after the other, in order.
      - All workers share one throttle. When Adobe answers 429, every worker pauses for its C(Retry-After) and
        the number of requests in flight is halved, then grows back by one at a time, never above O(workers). So
        raising O(workers) is safe behind a rate limit; it only goes faster when the API is not the limit.
    type: int
    default: 10
seealso:
  - module: aep.flow_service.aep_target_connection
  - module: aep.flow_service.aep_base_connection
  - plugin: aep.flow_service.aep_flows
    plugin_type: inventory
"""

EXAMPLES = r"""
- name: List a move of every S3 export to the new bucket
  ansible.builtin.set_fact:
    s3_moves: "{{ s3_moves | default([]) + [{'flow_id': item, 'params': {'bucketName': 'acme-exports-2027'}}] }}"
  loop: "{{ s3_flow_ids }}"

- name: Move them, ten destinations at a time
  aep.flow_service.aep_destination_connections:
    destinations: "{{ s3_moves }}"
    token_cache: true

- name: Rotate credentials and move exports, destination by destination
  aep.flow_service.aep_destination_connections:
    destinations:
      - label: S3 winter
        flow_id: 226fb2e1-db69-4760-b67e-9e671e05abfc
        params:
          bucketName: acme-exports-2026
          path: audiences/winter
        auth_params:
          s3AccessKey: "{{ vault_s3_access_key }}"
          s3SecretKey: "{{ vault_s3_secret_key }}"
      - label: Azure daily
        flow_id: "{{ azure_flow_id }}"
        auth_params:
          connectionString: "{{ vault_azure_connection_string }}"
      - label: dev copy
        flow_id: "{{ dev_flow_id }}"
        sandbox: dev
        params:
          path: dev/exports-2026
    update_secrets: on_change
  register: rollout

- name: Show what happened to each destination
  ansible.builtin.debug:
    msg: "{{ rollout.destinations | map(attribute='summary') }}"

# With the aep.flow_service.aep_flows inventory: the play chooses the destinations as hosts, one task converges
# them all (under AWX job slicing, each slice converges its own hosts in one task).
- name: Move every S3 export of the play's hosts, in one task
  aep.flow_service.aep_destination_connections:
    destinations: >-
      {%- set ns = namespace(items=[]) -%}
      {%- for host in ansible_play_hosts -%}
      {%-   set ns.items = ns.items + [{'label': hostvars[host].aep_flow_name, 'sandbox': hostvars[host].aep_sandbox,
                                        'flow_id': hostvars[host].aep_flow_id, 'params': {'path': 'audiences/2027'}}] -%}
      {%- endfor -%}
      {{ ns.items }}
  run_once: true
"""

RETURN = r"""
destinations:
  description:
    - One entry per item of O(destinations), in the same order, also when the task fails. Secret values are masked.
  returned: always, once the items are valid
  type: list
  elements: dict
  contains:
    label:
      description: The item's label, else its dataflow's name, else the first id it gives.
      type: str
      sample: S3 winter
    flow_id:
      description: The item's dataflow id, if it gave one.
      type: str
    sandbox:
      description: The sandbox the destination was converged in.
      type: str
      sample: prod
    status:
      description: V(ok) (nothing to change), V(changed) (changed, or would change in check mode) or V(failed).
      type: str
      sample: changed
    failed_step:
      description: V(target), V(base) or V(dataflow), what was being converged when it failed; null otherwise.
      type: str
    error:
      description: Why the destination failed (status, Flow Service error code and request id for API errors).
      type: str
    write_unconfirmed:
      description:
        - True when a write of this destination got no usable answer (the connection dropped or timed out, a
          gateway answered 502, 503 or 504, or a success answer could not be read), so it may have been applied
          although the destination failed. Run the task again to converge. When the read that follows shows that
          the write landed, the destination is changed instead.
      type: bool
    target_connection:
      description: The target connection converged (null when the item did not manage one, or before it was reached).
      type: dict
      contains:
        id:
          description: The target connection id.
          type: str
        changed:
          description: Whether it changed (or would change, in check mode).
          type: bool
        etag:
          description: Its etag after the task.
          type: str
        patch:
          description: The JSON Patch operations sent (or that would be sent).
          type: list
          elements: dict
    base_connection:
      description:
        - The base connection converged, with the keys of RV(destinations[].target_connection).
        - Secret values in its C(patch) are replaced by C(********); the key names are kept.
      type: dict
    dataflow:
      description:
        - The dataflow converged (null when the item has no O(destinations[].dataflow), or before it was reached),
          with the keys of RV(destinations[].target_connection) and C(action) (V(enable), V(disable) or null).
      type: dict
    summary:
      description: One line saying what changed (or would change) or why it failed.
      type: str
      sample: 'S3 winter: CHANGED - target connection 8ce3dc63-3766-4220-9f61-51d2f8f14618: replace /params/path = "audiences/winter"'
"""

from ansible_collections.aep.flow_service.plugins.module_utils._connections import UPDATE_SECRETS_CHOICES
from ansible_collections.aep.flow_service.plugins.module_utils._batch_items import DESTINATION_OPTIONS, DESTINATION_RULES, BatchModule, input_problems
from ansible_collections.aep.flow_service.plugins.module_utils._destinations import MAX_WORKERS, Batch
from ansible_collections.aep.flow_service.plugins.module_utils._stop import StopFlag


def main():
    module = BatchModule(
        argument_spec=dict(
            destinations=dict(type="list", elements="dict", required=True, options=DESTINATION_OPTIONS,
                              **DESTINATION_RULES),
            purge_params=dict(type="bool", default=False),
            update_secrets=dict(type="str", choices=list(UPDATE_SECRETS_CHOICES), default="always", no_log=False),
            workers=dict(type="int", default=10),
        ),
        supports_check_mode=True,
    )
    p = module.params
    problems = input_problems(p["destinations"], p["purge_params"])
    if not 1 <= p["workers"] <= MAX_WORKERS:
        problems.insert(0, "workers must be between 1 and %d, got %d" % (MAX_WORKERS, p["workers"]))
    if problems:
        module.fail_json(msg="Invalid destinations: " + "; ".join(problems) + ".")
    if not p["destinations"]:
        module.exit_json(changed=False, destinations=[])

    with module.failing("Getting an access token"):
        module.api.tokens.get()  # one token for every thread, minted (or read from the token cache) before they start
    stop = StopFlag().install()  # SIGTERM/SIGHUP or ansible-playbook gone: start no new destination
    try:
        batch = Batch(p, module.api, module.check_mode, stop)
        entries, diffs = batch.run(p["destinations"], p["workers"])
    finally:
        stop.restore()
    for warning in batch.warnings:
        module.warn(warning)

    result = {"changed": any(entry["status"] == "changed" for entry in entries), "destinations": entries}
    if module._diff:
        result["diff"] = diffs
    failed = [entry for entry in entries if entry["status"] == "failed"]
    if stop.stopped:
        not_started = sum(1 for entry in entries if (entry["error"] or "").startswith("not started:"))
        module.fail_json(msg="Stopped: %s; %d of %d destinations were not started (the others ran to the end, see "
                             "destinations)." % (stop.reason, not_started, len(entries)), **result)
    if failed:
        module.fail_json(msg="%d of %d destinations failed: %s" % (len(failed), len(entries),
                                                                   " | ".join(entry["summary"] for entry in failed)),
                         **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
