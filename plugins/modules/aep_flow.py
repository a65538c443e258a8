#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: aep_flow
short_description: Manage an Adobe Experience Platform destination dataflow (name, state, audiences, profile attributes)
version_added: 1.0.0
description:
  - Brings a destination dataflow to what you declare - its name and description, whether it runs, the audiences it
    exports with their schedules and file names, and the profile attributes it exports.
  - Reads the dataflow and sends at most one JSON Patch for every change of name, description, audiences and
    profile attributes together, with C(If-Match) carrying the etag just read. If the dataflow changed between the
    read and the write (HTTP 412), it is read again and the patch recomputed, so another writer's change is kept.
  - O(enabled) is not a patch - it is C(POST /flows/{id}/action?op=enable) or C(op=disable), sent only when the
    state differs, after the patch.
  - Adobe applies dataflow writes asynchronously. With O(wait=true) the module reads the dataflow until its
    C(lastOperation) is complete and its state settled, and fails when the operation failed.
  - Audiences and profile attributes you do not list are left alone unless O(purge_audiences) or
    O(purge_profile_attributes) is set.
author:
  - aep.flow_service contributors (@aep-flow-service)
extends_documentation_fragment:
  - aep.flow_service.connection
  - aep.flow_service.connection.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Sends no write; RV(flow) is the predicted dataflow, RV(patch) and RV(action) what would be sent.
  diff_mode:
    support: full
    details: Shows the name, description, state, the audiences (one line each - id, name, schedule) and the
      profile attributes, before and after.
  platform:
    platforms: all
options:
  id:
    description: The dataflow id.
    type: str
    required: true
  name:
    description: The desired name of the dataflow (C(replace /name)).
    type: str
  description:
    description: The desired description of the dataflow (C(replace /description)).
    type: str
  enabled:
    description:
      - Whether the dataflow runs. V(false) pauses it (C(op=disable)), V(true) resumes it (C(op=enable)).
      - Unset leaves the state as it is.
    type: bool
  audiences:
    description:
      - Audiences the dataflow exports, matched with its segment selectors by audience id. Only the keys you give
        are compared and changed; what the server sets (C(createTime), C(updateTime)) and keys you leave out are
        kept.
      - A new audience is appended; a changed one is replaced whole (the selector as read, with your keys), as
        Adobe asks.
      - Checked before any request - C(%DESTINATION_NAME%) and C(%SEGMENT_ID%) in O(audiences[].filenameTemplate),
        real dates, O(audiences[].schedule.startTime) on the hour - and before any write, on the selector as it
        would be sent - O(audiences[].schedule.triggerType) with C(DAILY_FULL_EXPORT), incremental frequencies only
        with C(FIRST_FULL_THEN_INCREMENTAL), batch-only keys refused on a streaming destination's dataflow. A
        refusal names the audience and writes nothing.
      - More than 250 audiences (Adobe's guardrail per dataflow) draws a warning.
    type: list
    elements: dict
    suboptions:
      id:
        description: The audience (segment) id.
        type: str
        required: true
      name:
        description: The audience name shown on the dataflow.
        type: str
      description:
        description: The audience description shown on the dataflow.
        type: str
      filenameTemplate:
        description:
          - File-based destinations only. The exported file name, with the macros C(%DESTINATION_NAME%) and
            C(%SEGMENT_ID%) (both required), and optionally C(%SEGMENT_NAME%), C(%DATETIME(YYYYMMdd_HHmmss)%),
            C(%TIMESTAMP%) and text.
        type: str
      exportMode:
        description:
          - File-based destinations only. C(DAILY_FULL_EXPORT) or C(FIRST_FULL_THEN_INCREMENTAL).
        type: str
      schedule:
        description: File-based destinations only. When the audience is exported; only the keys given are managed.
        type: dict
        suboptions:
          frequency:
            description:
              - C(ONCE), C(DAILY), C(EVERY_3_HOURS), C(EVERY_6_HOURS), C(EVERY_8_HOURS) or C(EVERY_12_HOURS).
              - The C(EVERY_*_HOURS) frequencies need C(exportMode=FIRST_FULL_THEN_INCREMENTAL).
            type: str
          triggerType:
            description:
              - C(SCHEDULED) or C(AFTER_SEGMENT_EVAL). Required with C(exportMode=DAILY_FULL_EXPORT).
            type: str
          startDate:
            description: The first day of the export, C(YYYY-MM-DD).
            type: str
          startTime:
            description: The time of day of a scheduled export, C(HH:00) (UTC, on the hour).
            type: str
          endDate:
            description: The last day of the export, C(YYYY-MM-DD).
            type: str
  purge_audiences:
    description:
      - Remove every audience that O(audiences) does not list. Removals are sent highest index first, so that
        each index still points at the audience it named when read.
    type: bool
    default: false
  profile_attributes:
    description:
      - XDM paths of the profile attributes the dataflow exports (its profile selectors), such as
        C(person.name.firstName). New paths are appended with operator C(EXISTS).
      - Refused on a dataflow that maps its attributes with a Data Prep mapping set (C(profileMapping)); mapping
        sets are not managed yet.
    type: list
    elements: str
  purge_profile_attributes:
    description: Remove every profile attribute that O(profile_attributes) does not list.
    type: bool
    default: false
  wait:
    description:
      - Wait until each write (the patch, the action) is applied - C(lastOperation) complete and the state no
        longer C(updating), C(enabling) or C(disabling) - and fail when it failed.
      - With V(false) the module returns once the last write is accepted, and RV(flow) is the predicted dataflow.
        A patch followed by an action is always waited out in between, since Adobe refuses an action while an
        update is in progress.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds O(wait) waits for one write at most.
    type: int
    default: 300
notes:
  - Which destinations are file-based is not published by Adobe as a flag; the module takes a dataflow as
    file-based when its destination's connection spec is in the C(cloudStorage) category or its audiences already
    carry batch keys. It reads that connection spec only when you give batch keys.
seealso:
  - module: aep.flow_service.aep_flow_info
  - module: aep.flow_service.aep_target_connection
"""

EXAMPLES = r"""
- name: Add an audience with a daily schedule to a file-based export
  aep.flow_service.aep_flow:
    id: 226fb2e1-db69-4760-b67e-9e671e05abfc
    audiences:
      - id: a1000000-0000-4000-8000-0000000000b1
        name: Lapsed customers
        exportMode: DAILY_FULL_EXPORT
        filenameTemplate: "%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%"
        schedule:
          frequency: DAILY
          triggerType: SCHEDULED
          startDate: "2027-01-01"
          startTime: "06:00"

- name: Change the start date of that audience (nothing else of it changes)
  aep.flow_service.aep_flow:
    id: 226fb2e1-db69-4760-b67e-9e671e05abfc
    audiences:
      - id: a1000000-0000-4000-8000-0000000000b1
        schedule:
          startDate: "2027-02-01"

- name: Own the full audience list (audiences not listed are removed)
  aep.flow_service.aep_flow:
    id: 226fb2e1-db69-4760-b67e-9e671e05abfc
    audiences:
      - id: a1000000-0000-4000-8000-000000000001
      - id: a1000000-0000-4000-8000-0000000000b1
    purge_audiences: true

- name: Pause a dataflow
  aep.flow_service.aep_flow:
    id: 226fb2e1-db69-4760-b67e-9e671e05abfc
    enabled: false

# In a play over hosts of the aep.flow_service.aep_flows inventory (one host per dataflow, connection local):
# pause every destination of a group, such as all the Amazon S3 exports (hosts: aep_destination_amazon_s3).
- name: Pause every dataflow of the group
  aep.flow_service.aep_flow:
    id: "{{ aep_flow_id }}"
    sandbox: "{{ aep_sandbox }}"
    enabled: false

- name: Rename a dataflow and export two profile attributes, previewing first
  aep.flow_service.aep_flow:
    id: 226fb2e1-db69-4760-b67e-9e671e05abfc
    name: 2027 winter campaign
    description: ACME holiday campaign, second season
    profile_attributes:
      - personalEmail.address
      - person.name.firstName
  check_mode: true
  diff: true
"""

RETURN = r"""
flow:
  description:
    - The dataflow after the task. After a write waited out (O(wait=true)) it is the dataflow as read once the
      write was applied; in check mode, or with O(wait=false), the predicted one (the state read, with RV(patch)
      and RV(action) applied).
  returned: success
  type: dict
  sample:
    id: 226fb2e1-db69-4760-b67e-9e671e05abfc
    name: 2021 winter campaign
    state: disabled
    transformations:
      - name: GeneralTransform
        params:
          segmentSelectors:
            selectors:
              - {type: PLATFORM_SEGMENT, value: {id: a1000000-0000-4000-8000-000000000001, name: Loyal winter shoppers}}
etag:
  description: The etag of the dataflow after the task.
  returned: success
  type: str
  sample: '"8b0351ca-0000-0200-0000-61c4d6700000"'
patch:
  description: The JSON Patch operations sent (or, in check mode, that would be sent). Empty when nothing differed.
  returned: success
  type: list
  elements: dict
  sample:
    - {op: replace, path: /name, value: 2027 winter campaign}
    - {op: add, path: /transformations/0/params/segmentSelectors/selectors/-,
       value: {type: PLATFORM_SEGMENT, value: {id: a1000000-0000-4000-8000-0000000000b1}}}
action:
  description: The action sent (or that would be sent) - V(enable), V(disable), or null when the state was right.
  returned: success
  type: str
  sample: disable
write_unconfirmed:
  description:
    - Set when the task failed after a write got no answer, so the write may have been applied anyway. Run the
      task again to see the current state and converge.
  returned: on failure, when a write got no answer
  type: bool
  sample: true
"""

from ansible_collections.aep.flow_service.plugins.module_utils._flow import FLOW_OPTIONS, input_errors
from ansible_collections.aep.flow_service.plugins.module_utils._ids import id_problems
from ansible_collections.aep.flow_service.plugins.module_utils._module import AepModule


def main():
    module = AepModule(argument_spec=dict(FLOW_OPTIONS, id=dict(type="str", required=True)), supports_check_mode=True)
    p = module.params
    problems = id_problems({"id": p["id"]}) + input_errors(p)
    if problems:
        module.fail_json(msg="Invalid options: %s; nothing was sent." % "; ".join(problems))

    from ansible_collections.aep.flow_service.plugins.module_utils._errors import AepError
    from ansible_collections.aep.flow_service.plugins.module_utils._flow import Dataflow
    from ansible_collections.aep.flow_service.plugins.module_utils._flow_run import FlowRun

    run = FlowRun(Dataflow(module.api.specs, module.client, p), p["id"], module.check_mode)
    try:
        result = run.run()
    except AepError as exc:
        module.fail_for(exc, run.step, changed=run.sent)
    for warning in run.warnings:
        module.warn(warning)
    before, after = result.pop("before"), result.pop("after")
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
