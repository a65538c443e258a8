# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""The rules Adobe documents for an audience (segment selector) of a destination dataflow.

Two passes use them: ``input_problems`` before any request, on what the user wrote, and
``selector_problems`` after the read and before the write, on the whole selector that would be sent
(the user's keys merged into the current ones), because some rules involve keys the user left as they are.
"""

from __future__ import annotations

import datetime
import re

EXPORT_MODES = ("DAILY_FULL_EXPORT", "FIRST_FULL_THEN_INCREMENTAL")
FREQUENCIES = ("ONCE", "DAILY", "EVERY_3_HOURS", "EVERY_6_HOURS", "EVERY_8_HOURS", "EVERY_12_HOURS")
INCREMENTAL_FREQUENCIES = ("EVERY_3_HOURS", "EVERY_6_HOURS", "EVERY_8_HOURS", "EVERY_12_HOURS")
TRIGGER_TYPES = ("SCHEDULED", "AFTER_SEGMENT_EVAL")
REQUIRED_MACROS = ("%DESTINATION_NAME%", "%SEGMENT_ID%")
# Keys only file-based (batch) destinations take; a streaming selector carries id, name and description.
BATCH_KEYS = ("filenameTemplate", "exportMode", "schedule")
AUDIENCE_GUARDRAIL = 250  # Adobe's soft limit of audiences per dataflow
START_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def _date_problem(key, value):
    try:
        datetime.datetime.strptime(str(value), "%Y-%m-%d")
    except ValueError:
        return "%s %r is not a date of the form YYYY-MM-DD" % (key, value)
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", str(value)):  # strptime also takes 2026-1-5
        return "%s %r is not a date of the form YYYY-MM-DD" % (key, value)
    return None


def input_problems(value):
    """Problems of the keys one audience gives, each decidable from those keys alone."""
    problems = []
    if value.get("exportMode") is not None and value["exportMode"] not in EXPORT_MODES:
        problems.append("exportMode must be one of %s" % ", ".join(EXPORT_MODES))
    template = value.get("filenameTemplate")
    if template is not None:
        missing = [macro for macro in REQUIRED_MACROS if macro not in template]
        if missing:
            problems.append("filenameTemplate must contain %s" % " and ".join(missing))
    schedule = value.get("schedule") or {}
    if schedule.get("frequency") is not None and schedule["frequency"] not in FREQUENCIES:
        problems.append("schedule.frequency must be one of %s" % ", ".join(FREQUENCIES))
    if schedule.get("triggerType") is not None and schedule["triggerType"] not in TRIGGER_TYPES:
        problems.append("schedule.triggerType must be one of %s" % ", ".join(TRIGGER_TYPES))
    start_time = schedule.get("startTime")
    if start_time is not None:
        match = START_TIME.match(str(start_time))
        if not match:
            problems.append("schedule.startTime %r is not a time of the form HH:00" % start_time)
        elif match.group(2) != "00":
            problems.append("schedule.startTime %r must be on the hour (minutes 00)" % start_time)
    for key in ("startDate", "endDate"):
        if schedule.get(key) is not None:
            problem = _date_problem("schedule." + key, schedule[key])
            if problem:
                problems.append(problem)
    return problems


def selector_problems(value):
    """Problems of a whole selector value as it would be sent: the rules that tie keys together."""
    problems = input_problems(value)
    schedule = value.get("schedule") or {}
    mode = value.get("exportMode")
    if mode == "DAILY_FULL_EXPORT" and not schedule.get("triggerType"):
        problems.append("schedule.triggerType is required with exportMode DAILY_FULL_EXPORT")
    if schedule.get("frequency") in INCREMENTAL_FREQUENCIES and mode != "FIRST_FULL_THEN_INCREMENTAL":
        problems.append("schedule.frequency %s needs exportMode FIRST_FULL_THEN_INCREMENTAL (it is %s)"
                        % (schedule["frequency"], mode or "not set"))
    return problems


def batch_keys(value):
    """The batch-only keys an audience sets."""
    return [key for key in BATCH_KEYS if value.get(key) is not None]


def is_file_based(flow, spec):
    """Whether a destination dataflow exports files (batch) rather than streams.

    Adobe documents no flag for it. Assumed: file-based destinations are those whose connection spec is in the
    cloudStorage category, and a dataflow whose audiences already carry batch keys is file-based whatever its spec says.
    """
    categories = [((spec or {}).get("attributes") or {}).get("category"),
                  ((((spec or {}).get("targetSpec") or {}).get("attributes") or {}).get("uiAttributes") or {}).get("category")]
    if any(str(category).lower() == "cloudstorage" for category in categories if category):
        return True
    return any(batch_keys(selector.get("value") or {}) for selector in segment_selectors(flow))


def segment_selectors(flow):
    return _selectors(flow, "segmentSelectors")


def profile_selectors(flow):
    return _selectors(flow, "profileSelectors")


def transform_params(flow):
    """``transformations[0].params`` of a dataflow, or None when it has none."""
    transformations = flow.get("transformations") or []
    if not transformations or not isinstance(transformations[0], dict):
        return None
    params = transformations[0].get("params")
    return params if isinstance(params, dict) else None


def _selectors(flow, kind):
    params = transform_params(flow) or {}
    selectors = (params.get(kind) or {}).get("selectors")
    # the list as stored, so that positions are the indexes a patch addresses
    return [s if isinstance(s, dict) else {} for s in selectors] if isinstance(selectors, list) else []
