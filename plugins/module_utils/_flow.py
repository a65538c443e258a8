# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""The destination dataflow as a resource kind: its options, its patch (name, description, audiences, profile
attributes) and its view. The write goes through converge() like the connections' (see _flow_run.py).
"""

from __future__ import annotations

import copy

from ansible_collections.aep.flow_service.plugins.module_utils._errors import InvalidInput
from ansible_collections.aep.flow_service.plugins.module_utils._flow_rules import (
    batch_keys,
    input_problems,
    is_file_based,
    profile_selectors,
    segment_selectors,
    selector_problems,
    transform_params,
)
from ansible_collections.aep.flow_service.plugins.module_utils._ids import id_problems
from ansible_collections.aep.flow_service.plugins.module_utils._kinds import Kind
from ansible_collections.aep.flow_service.plugins.module_utils._patch import build_patch, given, same

# The pieces of the kind, together: collection, label, where its lists live.
COLLECTION = "flows"
LABEL = "dataflow"
SEGMENTS = "/transformations/0/params/segmentSelectors"
PROFILES = "/transformations/0/params/profileSelectors"
AUDIENCE_KEYS = ("name", "description", "filenameTemplate", "exportMode", "schedule")
SCHEDULE_KEYS = ("frequency", "triggerType", "startDate", "startTime", "endDate")


def clean_audiences(audiences):
    """The audiences as the user gave them, unset keys dropped (so that only given keys are compared)."""
    result = []
    for audience in audiences or []:
        value = {"id": audience.get("id")}
        value.update((k, audience[k]) for k in AUDIENCE_KEYS if k != "schedule" and audience.get(k) is not None)
        schedule = {k: v for k, v in (audience.get("schedule") or {}).items() if v is not None}
        if schedule:
            value["schedule"] = schedule
        result.append(value)
    return result


def input_errors(want):
    """Every problem of the dataflow options decidable without a request, each naming its audience."""
    problems = []
    if want.get("name") is not None and not want["name"].strip():
        problems.append("name must not be empty")
    for flag, key in (("purge_audiences", "audiences"), ("purge_profile_attributes", "profile_attributes")):
        if want.get(flag) and want.get(key) is None:
            problems.append("%s needs %s: without it every one would be removed" % (flag, key))
    if want.get("wait_timeout") is not None and want["wait_timeout"] <= 0:
        problems.append("wait_timeout must be a positive number of seconds")
    seen = set()
    for number, audience in enumerate(clean_audiences(want.get("audiences")), 1):
        audience_id = audience.get("id")
        if not isinstance(audience_id, str) or id_problems({"id": audience_id}):
            problems.extend("audience %d: %s" % (number, p) for p in id_problems({"id": audience_id or ""}))
            continue
        if audience_id in seen:
            problems.append("audience %s: listed twice" % audience_id)
        seen.add(audience_id)
        problems.extend("audience %s: %s" % (audience_id, problem) for problem in input_problems(audience))
    for path in want.get("profile_attributes") or []:
        if not isinstance(path, str) or not path.strip():
            problems.append("profile_attributes: an empty path")
    return problems


def _given_match(current, desired):
    """Whether every key the user gave has the current value (server-set and ungiven keys ignored)."""
    for key, value in desired.items():
        if key == "schedule":
            schedule = current.get("schedule") or {}
            if not all(same(schedule.get(k), v) for k, v in value.items()):
                return False
        elif not same(current.get(key), value):
            return False
    return True


def _merged(current, desired):
    value = copy.deepcopy(current)
    for key, wanted in desired.items():
        value[key] = dict(current.get("schedule") or {}, **wanted) if key == "schedule" else copy.deepcopy(wanted)
    return value


def _list_operations(base, current_list, key_of, desired_keys, purge, new_entries):
    """Adds, and with purge removals highest index first, so that each index still points where it did."""
    ops = []
    if purge:
        first = {}
        for index, entry in enumerate(current_list):
            first.setdefault(key_of(entry), index)
        for index in range(len(current_list) - 1, -1, -1):
            key = key_of(current_list[index])
            if key not in desired_keys or first[key] != index:
                ops.append({"op": "remove", "path": "%s/selectors/%d" % (base, index),
                            "value": copy.deepcopy(current_list[index])})
    ops.extend({"op": "add", "path": "%s/selectors/-" % base, "value": entry} for entry in new_entries)
    return ops


def _ensure_list(params, kind, base, ops):
    """When the dataflow has no such list yet, create it first, so that the appends have a place."""
    holder = params.get(kind)
    if not isinstance(holder, dict):
        return [{"op": "add", "path": base, "value": {"selectors": []}}] + ops if ops else ops
    if not isinstance(holder.get("selectors"), list):
        return [{"op": "add", "path": base + "/selectors", "value": []}] + ops if ops else ops
    return ops


def audience_operations(current, audiences, purge, spec_of):
    """Operations on transformations[0].params.segmentSelectors; InvalidInput naming each audience refused."""
    params = _params_or_fail(current)
    selectors = segment_selectors(current)
    index_of = {}
    for index, selector in enumerate(selectors):
        index_of.setdefault((selector.get("value") or {}).get("id"), index)
    batch = [a["id"] for a in audiences if batch_keys(a)]
    if batch and not is_file_based(current, spec_of(current)):
        raise InvalidInput("audience %s: filenameTemplate, exportMode and schedule apply only to file-based "
                           "destinations, and dataflow %s streams; nothing was written"
                           % (", ".join(batch), current.get("id")))
    problems, replaces, new = [], [], []
    for audience in audiences:
        index = index_of.get(audience["id"])
        if index is None:
            value = copy.deepcopy(audience)
            new.append({"type": "PLATFORM_SEGMENT", "value": value})
        elif _given_match(selectors[index].get("value") or {}, audience):
            continue
        else:
            value = _merged(selectors[index].get("value") or {}, audience)
            # Adobe: replace the whole selector, as read, not only what changes.
            replaces.append({"op": "replace", "path": "%s/selectors/%d" % (SEGMENTS, index),
                             "value": dict(copy.deepcopy(selectors[index]), value=value)})
        problems.extend("audience %s: %s" % (audience["id"], p) for p in _whole_selector_problems(value, audience))
    if problems:
        raise InvalidInput("invalid audiences for dataflow %s: %s; nothing was written"
                           % (current.get("id"), "; ".join(problems)))
    wanted = {a["id"] for a in audiences}
    ops = replaces + _list_operations(SEGMENTS, selectors, lambda s: (s.get("value") or {}).get("id"), wanted,
                                      purge, new)
    return _ensure_list(params, "segmentSelectors", SEGMENTS, ops)


def _whole_selector_problems(value, audience):
    # input_problems already named the user's own mistakes before any request; report only the combined ones
    own = set(input_problems(audience))
    return [p for p in selector_problems(value) if p not in own]


def profile_operations(current, paths, purge):
    """Operations on transformations[0].params.profileSelectors, compared by XDM path."""
    params = _params_or_fail(current)
    if params.get("profileMapping"):
        raise InvalidInput("dataflow %s maps its profile attributes with a Data Prep mapping set (profileMapping); "
                           "mapping sets are not managed yet, so profile_attributes cannot be set; nothing was "
                           "written" % current.get("id"))
    selectors = profile_selectors(current)
    have = {(s.get("value") or {}).get("path") for s in selectors}
    wanted, new = [], []
    for path in paths:
        if path not in wanted:
            wanted.append(path)
            if path not in have:
                new.append({"type": "JSON_PATH", "value": {"path": path, "operator": "EXISTS"}})
    ops = _list_operations(PROFILES, selectors, lambda s: (s.get("value") or {}).get("path"), set(wanted), purge, new)
    return _ensure_list(params, "profileSelectors", PROFILES, ops)


def _params_or_fail(current):
    params = transform_params(current)
    if params is None:
        raise InvalidInput("dataflow %s has no transformations[0].params: it exports no audiences that could be "
                           "managed; nothing was written" % current.get("id"))
    return params


def flow_operations(current, want, spec_of):
    """Every PATCH operation the dataflow options ask for (enabled is an action, not a PATCH)."""
    ops = build_patch(current, given(name=want.get("name"), description=want.get("description")), "")
    if want.get("audiences") is not None:
        ops.extend(audience_operations(current, clean_audiences(want["audiences"]), bool(want.get("purge_audiences")),
                                       spec_of))
    if want.get("profile_attributes") is not None:
        ops.extend(profile_operations(current, want["profile_attributes"], bool(want.get("purge_profile_attributes"))))
    return ops


def audience_line(selector):
    """One audience as a person reads it in a diff: id, name, schedule."""
    value = selector.get("value") or {}
    schedule = value.get("schedule") or {}
    when = " ".join(str(schedule[k]) for k in SCHEDULE_KEYS if schedule.get(k) is not None)
    parts = [str(value.get("id")), str(value.get("name") or "")]
    extra = ", ".join(str(x) for x in (value.get("exportMode"), when, value.get("filenameTemplate")) if x)
    return "%s: %s%s" % (parts[0], parts[1], " (%s)" % extra if extra else "")


def flow_view(flow, operations=None, full=False):
    """The dataflow, whole or as the managed part the diff shows."""
    if full:
        return flow
    return {"name": flow.get("name"), "description": flow.get("description"), "state": flow.get("state"),
            "audiences": [audience_line(s) for s in segment_selectors(flow)],
            "profile_attributes": [(s.get("value") or {}).get("path") for s in profile_selectors(flow)]}


class Dataflow(Kind):
    """Name, description, audiences and profile attributes: one PATCH (the enable/disable action: _flow_run.py).

    The destination's connection spec is read only for what it decides: whether audiences may carry batch keys.
    """

    collection, label, result_key = COLLECTION, LABEL, "flow"

    def __init__(self, specs, client, want):
        super().__init__(specs, client)
        self.want = want

    def operations(self, current, fresh):
        return flow_operations(current, self.want, lambda flow: self.destination_spec(flow, fresh))

    def destination_spec(self, flow, fresh=False):
        """The connection spec of the dataflow's destination, or None when it names none."""
        for target in (flow.get("inheritedAttributes") or {}).get("targetConnections") or []:
            if ((target or {}).get("connectionSpec") or {}).get("id"):
                return self.spec(target, fresh)
        return None

    def view(self, resource, operations=None):
        return flow_view(resource)


# The options of a dataflow, as aep_flow takes them (and, later, a destination item's dataflow key).
SCHEDULE_OPTIONS = dict((key, dict(type="str")) for key in SCHEDULE_KEYS)
AUDIENCE_OPTIONS = dict(
    id=dict(type="str", required=True),
    name=dict(type="str"),
    description=dict(type="str"),
    filenameTemplate=dict(type="str"),
    exportMode=dict(type="str"),
    schedule=dict(type="dict", options=SCHEDULE_OPTIONS),
)
FLOW_OPTIONS = dict(
    name=dict(type="str"),
    description=dict(type="str"),
    enabled=dict(type="bool"),
    audiences=dict(type="list", elements="dict", options=AUDIENCE_OPTIONS),
    purge_audiences=dict(type="bool", default=False),
    profile_attributes=dict(type="list", elements="str"),
    purge_profile_attributes=dict(type="bool", default=False),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=300),
)
