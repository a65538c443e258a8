# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils file is private to the collection: its interface may change without notice.

"""A report people can read: one row per destination (name, kind, enabled, location, audiences), as text
lines, a Markdown table or CSV. Input is aep_flow_info results; nothing here sees a secret."""

from __future__ import annotations

import csv
import io
import json

from ansible_collections.aep.flow_service.plugins.module_utils._flow_rules import segment_selectors, transform_params

COLUMNS = ("name", "kind", "enabled", "location", "audiences", "sandbox", "flow_id", "target_connection_id")
# What a spreadsheet would run as a formula when a cell starts with it (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def audience_count(flow):
    """How many audiences the dataflow exports (its segment selectors), or None when the flow does not say."""
    if "segmentSelectors" not in (transform_params(flow) or {}):
        return None
    return len(segment_selectors(flow))


def location_text(entry):
    """bucket/path for a file destination; the other params (key=value) for the rest; "" when unread."""
    location = entry.get("location")
    if location:
        return "/".join(str(v).strip("/") for v in location.values() if v not in (None, ""))
    params = entry.get("params") or {}
    return ", ".join("%s=%s" % (k, v if isinstance(v, str) else json.dumps(v)) for k, v in params.items())


def report_rows(results):
    """One dict per destination (per target connection of each dataflow), in the order read."""
    rows = []
    for result in results:
        for flow in result.get("flows") or []:
            entries = flow.get("destinations") or [{}]
            for index, entry in enumerate(entries):
                name = flow.get("name") or flow.get("id") or ""
                if len(entries) > 1:
                    name = "%s (target %d of %d)" % (name, index + 1, len(entries))
                rows.append({
                    "name": name,
                    "kind": entry.get("name") or entry.get("spec_id") or "unknown",
                    "enabled": flow.get("state") == "enabled",
                    "location": location_text(entry),
                    "audiences": audience_count(flow),
                    "sandbox": flow.get("sandboxName") or result.get("sandbox") or "",
                    "flow_id": flow.get("id") or "",
                    "target_connection_id": entry.get("target_connection_id") or "",
                })
    return rows


def _cell(row, column):
    value = row[column]
    if column == "enabled":
        return "enabled" if value else "disabled"
    return "" if value is None else str(value)


def text_lines(rows):
    """One line per destination for the console."""
    lines = []
    for row in rows:
        audiences = "" if row["audiences"] is None else ", %d audience%s" % (
            row["audiences"], "" if row["audiences"] == 1 else "s")
        lines.append("%s: %s, %s, %s%s" % (row["name"], row["kind"], _cell(row, "enabled"),
                                           row["location"] or "no location", audiences))
    return lines


def _markdown_cell(text):
    # A pipe would end the cell and a line break the row; HTML in a name would render in most viewers.
    text = " ".join(text.splitlines())
    for char, escaped in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(char, escaped)
    return text


def markdown(rows, title=None):
    out = []
    if title:
        out += ["# " + _markdown_cell(title), ""]
    out.append("| " + " | ".join(COLUMNS) + " |")
    out.append("|" + "|".join(" --- " for dummy in COLUMNS) + "|")
    for row in rows:
        out.append("| " + " | ".join(_markdown_cell(_cell(row, c)) for c in COLUMNS) + " |")
    return "\n".join(out) + "\n"


def _csv_cell(text):
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_text(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(_cell(row, c)) for c in COLUMNS])
    return buffer.getvalue()


def report(results, output="lines", title=None):
    """The report of aep_flow_info results as ``lines`` (a list), ``rows`` (dicts), ``markdown`` or ``csv``."""
    rows = report_rows(results)
    if output == "rows":
        return rows
    if output == "lines":
        return text_lines(rows)
    if output == "markdown":
        return markdown(rows, title)
    if output == "csv":
        return csv_text(rows)
    raise ValueError("output must be one of lines, rows, markdown, csv; got %r" % (output,))
