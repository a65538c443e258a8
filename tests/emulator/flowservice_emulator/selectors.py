"""Audiences (segment selectors) and profile selectors of a destination dataflow, checked after a PATCH.

Rules from dataflows-and-runs.md ("Segment selector", "Profile selector"; Adobe's D1, D2, D4 and S2):
``exportMode``, ``schedule.frequency`` and ``schedule.triggerType`` from their enums; ``triggerType`` required
with ``DAILY_FULL_EXPORT``; ``startTime`` ``HH:00``; the ``EVERY_*_HOURS`` frequencies only with
``FIRST_FULL_THEN_INCREMENTAL``; ``%DESTINATION_NAME%`` and ``%SEGMENT_ID%`` in ``filenameTemplate``; real dates;
batch keys only on file-based destinations. A violation is 400 ``FLOW-1455-400`` (patch validation) naming the
selector. Assumed: which destinations are file-based (their connection spec's category is ``cloudStorage``),
that only selectors the patch adds or changes are checked (stored ones are left as they are), and that the
server stamps ``createTime``/``updateTime`` (epoch seconds as strings, S2's type and example) on the selectors it
adds or changes.
"""
from __future__ import annotations

import datetime
import re
import time

from . import errors

EXPORT_MODES = ("DAILY_FULL_EXPORT", "FIRST_FULL_THEN_INCREMENTAL")
FREQUENCIES = ("ONCE", "DAILY", "EVERY_3_HOURS", "EVERY_6_HOURS", "EVERY_8_HOURS", "EVERY_12_HOURS")
INCREMENTAL = FREQUENCIES[2:]
TRIGGERS = ("SCHEDULED", "AFTER_SEGMENT_EVAL")
MACROS = ("%DESTINATION_NAME%", "%SEGMENT_ID%")
BATCH_KEYS = ("filenameTemplate", "exportMode", "schedule")
SERVER_KEYS = ("createTime", "updateTime")


def _list(doc: dict, kind: str) -> list:
    transformations = doc.get("transformations") or []
    params = (transformations[0] or {}).get("params") if transformations and isinstance(transformations[0], dict) else None
    holder = (params or {}).get(kind) if isinstance(params, dict) else None
    selectors = holder.get("selectors") if isinstance(holder, dict) else None
    return selectors if isinstance(selectors, list) else []


def _date(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def segment_problems(value: dict, file_based: bool) -> list[str]:
    """What is wrong with one audience's ``value`` (an empty list when nothing is)."""
    problems = []
    if not isinstance(value.get("id"), str) or not value["id"]:
        return ["value.id is required"]
    batch = [key for key in BATCH_KEYS if key in value]
    if batch and not file_based:
        problems.append(f"{', '.join(batch)} apply only to file-based destinations")
    mode = value.get("exportMode")
    if mode is not None and mode not in EXPORT_MODES:
        problems.append(f"exportMode {mode!r} is not one of {', '.join(EXPORT_MODES)}")
    template = value.get("filenameTemplate")
    if template is not None:
        missing = [macro for macro in MACROS if macro not in str(template)]
        if missing:
            problems.append(f"filenameTemplate must contain {' and '.join(missing)}")
    schedule = value.get("schedule")
    if schedule is None:
        return problems
    if not isinstance(schedule, dict):
        return problems + ["schedule must be an object"]
    frequency, trigger = schedule.get("frequency"), schedule.get("triggerType")
    if frequency is not None and frequency not in FREQUENCIES:
        problems.append(f"schedule.frequency {frequency!r} is not one of {', '.join(FREQUENCIES)}")
    if trigger is not None and trigger not in TRIGGERS:
        problems.append(f"schedule.triggerType {trigger!r} is not one of {', '.join(TRIGGERS)}")
    if mode == "DAILY_FULL_EXPORT" and trigger is None:
        problems.append("schedule.triggerType is required with exportMode DAILY_FULL_EXPORT")
    if frequency in INCREMENTAL and mode != "FIRST_FULL_THEN_INCREMENTAL":
        problems.append(f"schedule.frequency {frequency} needs exportMode FIRST_FULL_THEN_INCREMENTAL")
    start_time = schedule.get("startTime")
    if start_time is not None and not (isinstance(start_time, str) and re.fullmatch(r"([01]\d|2[0-3]):00", start_time)):
        problems.append(f"schedule.startTime {start_time!r} must be HH:00")
    for key in ("startDate", "endDate"):
        if schedule.get(key) is not None and not _date(schedule[key]):
            problems.append(f"schedule.{key} {schedule[key]!r} is not a date (YYYY-MM-DD)")
    return problems


def check_and_stamp(doc: dict, before: dict, spec_of) -> None:
    """Check the selectors a patch added or changed in ``doc`` (a flow), stamp their times; raise FlowError 1455.

    ``spec_of(connection_spec_id)`` returns a connection spec or None.
    """
    targets = (doc.get("inheritedAttributes") or {}).get("targetConnections") or []
    spec = spec_of(((targets[0] or {}).get("connectionSpec") or {}).get("id")) if targets else None
    file_based = str(((spec or {}).get("attributes") or {}).get("category") or "").lower() == "cloudstorage"
    old = _list(before, "segmentSelectors")
    now = str(int(time.time()))
    for index, selector in enumerate(_list(doc, "segmentSelectors")):
        if selector in old:
            continue
        if not isinstance(selector, dict) or not isinstance(selector.get("value"), dict):
            raise errors.patch_invalid(f"segmentSelectors.selectors[{index}] must be an object with a value object")
        value = selector["value"]
        problems = segment_problems(value, file_based)
        if problems:
            raise errors.patch_invalid(f"segment selector {value.get('id')} (segmentSelectors.selectors[{index}]): "
                                       + "; ".join(problems))
        known = {(s.get("value") or {}).get("id"): s.get("value") or {} for s in old if isinstance(s, dict)}
        value["createTime"] = (known.get(value["id"]) or {}).get("createTime") or now  # the server's, not the client's
        value["updateTime"] = now
    old_profiles = _list(before, "profileSelectors")
    for index, selector in enumerate(_list(doc, "profileSelectors")):
        if selector in old_profiles:
            continue
        value = selector.get("value") if isinstance(selector, dict) else None
        if not isinstance(value, dict) or not isinstance(value.get("path"), str) or not value["path"]:
            raise errors.patch_invalid(f"profileSelectors.selectors[{index}] needs value.path (an XDM path)")
