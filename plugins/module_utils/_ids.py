# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Ids given by a caller that cannot be ids, refused before any request.

Templates turn an empty or null variable into text: ``"{{ aep_target_connection_id }}"`` on a dataflow with
several target connections renders ``None``, and the module would send ``GET /targetConnections/None``, whose
404 then points at the wrong cause.
"""

from __future__ import annotations

import re

# What an undefined, null or omitted value looks like once a template has made it a string.
NOT_AN_ID = ("none", "null", "nil", "undefined", "omit", "false", "true")
SPACE = re.compile(r"\s")


def id_problems(values):
    """One message per option of ``values`` ({option: value}) that is set but cannot be an id."""
    problems = []
    for name, value in values.items():
        if value is None:
            continue
        shown = value if len(value) <= 80 else value[:80] + "..."
        if not value.strip():
            problems.append("%s must not be empty" % name)
        elif value.strip().lower() in NOT_AN_ID or value.strip().startswith("__omit_place_holder__"):
            problems.append("%s is %r, which is not an id but an empty, null or undefined variable rendered as "
                            "text (an inventory hostvar such as aep_target_connection_id is null when the dataflow "
                            "has several); give the id, or leave %s out" % (name, shown, name))
        elif SPACE.search(value):
            problems.append("%s %r holds spaces or line breaks; ids have none (a copy and paste may have added "
                            "them)" % (name, shown))
    return problems
