# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""The items of aep_destination_connections: their keys, and every rule checked before any HTTP call.

An item may hold secrets, so a problem names the item by its position and label and never quotes a value.
"""

from __future__ import annotations

import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.aep.flow_service.plugins.module_utils._connections import UPDATE_SECRETS_CHOICES, purge_problem
from ansible_collections.aep.flow_service.plugins.module_utils._flow import FLOW_OPTIONS, input_errors
from ansible_collections.aep.flow_service.plugins.module_utils._ids import id_problems
from ansible_collections.aep.flow_service.plugins.module_utils._module import AepModule
from ansible_collections.aep.flow_service.plugins.module_utils._options import header_value_errors

TARGET_KEYS = ("params", "name", "description")
ID_KEYS = ("flow_id", "target_connection_id", "base_connection_id")
# The item keys that take each kind of id, for the messages of _connections (which speak of "id" otherwise).
ID_OPTIONS = {"target": "target_connection_id", "base": "base_connection_id"}
BASE_KEYS = ("auth_params", "base_name", "base_description")

# The keys of one destination, as the module and the role take them.
DESTINATION_OPTIONS = dict(
    label=dict(type="str"),
    flow_id=dict(type="str"),
    target_connection_id=dict(type="str"),
    base_connection_id=dict(type="str"),
    sandbox=dict(type="str"),
    params=dict(type="dict"),
    allow_undeclared_params=dict(type="list", elements="str"),
    purge_params=dict(type="bool"),
    name=dict(type="str"),
    description=dict(type="str"),
    auth_params=dict(type="dict", no_log=True),
    allow_undeclared_auth_params=dict(type="list", elements="str", no_log=False),
    update_secrets=dict(type="str", choices=list(UPDATE_SECRETS_CHOICES), no_log=False),
    base_name=dict(type="str"),
    base_description=dict(type="str"),
    dataflow=dict(type="dict", options=FLOW_OPTIONS),  # aep_flow's options, converged after the connections
)

DESTINATION_RULES = dict(required_one_of=[("flow_id", "target_connection_id", "base_connection_id")],
                         required_if=[("purge_params", True, ("params",))])
UNSUPPORTED = re.compile(r"(?P<keys>.*)\. Supported parameters include: (?P<valid>.*?)\.?$")


def label_of(item):
    return item.get("label") or item.get("flow_id") or item.get("target_connection_id") or item.get("base_connection_id")


def manages(item, keys):
    return any(item.get(key) is not None for key in keys)


def argument_problems(items):
    """The argument-spec problems of each item, named by position and label (no value is ever quoted)."""
    validator = ArgumentSpecValidator(DESTINATION_OPTIONS, **DESTINATION_RULES)
    problems = []
    for number, item in enumerate(items if isinstance(items, list) else [], 1):
        if not isinstance(item, dict):
            problems.append("destination %d: must be a dict of keys such as flow_id and params" % number)
            continue
        label = label_of({key: value for key, value in item.items() if isinstance(value, str)})
        where = "destination %d (%s)" % (number, label) if label else "destination %d" % number
        # AnsibleModule has already filled every key it knows with None; those are not the caller's.
        given = {key: value for key, value in item.items() if value is not None}
        for message in validator.validate(given).error_messages:
            unsupported = UNSUPPORTED.match(message)
            if unsupported:
                message = "unknown key %s; the keys are: %s" % (unsupported.group("keys"), unsupported.group("valid"))
            problems.append("%s: %s" % (where, message))
    return problems


class BatchModule(AepModule):
    """AepModule whose failed check of ``destinations`` names each bad item and key.

    AnsibleModule's own message for a list of dicts says neither which item nor, for an unknown key, which
    label it has; with hundreds of items that is a search. Its other checks (and the masking of every
    auth_params value) stay as they are.
    """

    def fail_json(self, msg, **kwargs):  # pylint: disable=arguments-differ
        validation = getattr(self, "validation_result", None)
        if validation is not None and validation.error_messages and not getattr(self, "_items_named", False):
            self._items_named = True  # pylint: disable=attribute-defined-outside-init
            problems = argument_problems((self.params or {}).get("destinations"))
            if problems:
                msg = "Invalid destinations: " + "; ".join(problems)
        super().fail_json(msg=msg, **kwargs)


def input_problems(items, purge_default=False):
    """Every problem that spans several keys of an item, for all items at once; items named by position and label.

    An item may hold secrets, so only its position and label are ever quoted.
    """
    problems = []
    for number, item in enumerate(items, 1):
        where = "destination %d (%s)" % (number, label_of(item))
        problems.extend("%s: %s" % (where, problem) for problem in id_problems({key: item.get(key) for key in ID_KEYS}))
        for key in ("label", "sandbox", "name", "base_name"):
            if item.get(key) is not None and not item[key].strip():
                problems.append("%s: %s must not be empty" % (where, key))
        problems.extend("%s: %s" % (where, error) for error in header_value_errors({"sandbox": item.get("sandbox")}))
        target_side, base_side = manages(item, TARGET_KEYS), manages(item, BASE_KEYS)
        if not (target_side or base_side or item.get("dataflow")):
            problems.append("%s: nothing to change; set params, name or description (target connection), "
                            "auth_params, base_name or base_description (base connection) or dataflow" % where)
        if item.get("dataflow") is not None:
            if not item.get("flow_id"):
                problems.append("%s: dataflow needs flow_id, the dataflow it changes" % where)
            problems.extend("%s: dataflow: %s" % (where, problem) for problem in input_errors(item["dataflow"]))
        if target_side and not (item.get("flow_id") or item.get("target_connection_id")):
            problems.append("%s: params, name and description change the target connection; set flow_id or "
                            "target_connection_id" % where)
        if base_side and not (item.get("flow_id") or item.get("base_connection_id")):
            problems.append("%s: auth_params, base_name and base_description change the base connection; set "
                            "flow_id or base_connection_id" % where)
        purge = purge_default if item.get("purge_params") is None else item["purge_params"]
        if item.get("params") is not None and purge_problem(item["params"], purge):
            problems.append("%s: %s" % (where, purge_problem(item["params"], purge)))
        if item.get("auth_params") is not None and not item["auth_params"]:
            problems.append("%s: auth_params is empty; leave it out to keep the credentials as they are" % where)
    return problems
