# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters that turn aep_flow_info results into destinations as code and into a report (docs in the .yml files)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.aep.flow_service.plugins.plugin_utils._export import export_text
from ansible_collections.aep.flow_service.plugins.plugin_utils._report import report


def _results(value, filter_name):
    """One aep_flow_info result, or a list of them (a loop's register, or its .results)."""
    if isinstance(value, dict):
        value = value.get("results", [value]) if "flows" not in value else [value]
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise AnsibleFilterError("%s expects aep_flow_info results (a registered result or a list of them)"
                                 % filter_name)
    return value


def destinations_export(value, include_auth=False, made_at=None, made_by=None, include_dataflow=False):
    return export_text(_results(value, "destinations_export"), include_auth=bool(include_auth), made_at=made_at,
                       made_by=made_by, include_dataflow=bool(include_dataflow))


def destinations_report(value, output="lines", title=None):
    try:
        return report(_results(value, "destinations_report"), output=output, title=title)
    except ValueError as exc:
        raise AnsibleFilterError("destinations_report: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"destinations_export": destinations_export, "destinations_report": destinations_report}
