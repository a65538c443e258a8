# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils file is private to the collection: its interface may change without notice.

"""Live destinations as code: aep_flow_info results to the destination_connections role's list, as a YAML file.

Pure data in, text out, on the controller: no request and no secret ever reaches it. aep_flow_info never
returns a secret value (it masks them and says which fields are secret), and this code writes a secret field
only as a reference to a vault variable, whatever value the input holds for it.
"""

from __future__ import annotations

import json
import keyword
import os
import re

import yaml

from ansible_collections.aep.flow_service.plugins.module_utils._flow import AUDIENCE_KEYS, SCHEDULE_KEYS
from ansible_collections.aep.flow_service.plugins.module_utils._flow_rules import segment_selectors, transform_params

# A string that would be a template once Ansible reads the file: names and params come from Adobe's UI.
_TEMPLATE_MARKERS = ("{{", "{%", "{#")


class Unsafe(str):
    """A string written with YAML's !unsafe tag, so Ansible never templates it."""


class Template(str):
    """A template this code writes on purpose (a vault variable reference): written as a plain string."""


class _Dumper(yaml.SafeDumper):
    """Safe YAML with list items indented under their key, as ansible-lint's yamllint wants it."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


_Dumper.add_representer(Unsafe, lambda dumper, value: dumper.represent_scalar("!unsafe", str(value)))


def _guard(value):
    """Deep copy of a value in plain Python types, every string that holds a template marker made Unsafe.

    Plain types, because Ansible hands filters its own subclasses (tagged or unsafe text) that PyYAML's
    safe dumper refuses.
    """
    if isinstance(value, dict):
        return {"".join(str(k)): _guard(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_guard(v) for v in value]
    if isinstance(value, Template):
        return "".join(value)
    if isinstance(value, str):
        text = "".join(value)
        return Unsafe(text) if any(m in text for m in _TEMPLATE_MARKERS) else text
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _snake(name):
    """s3SecretKey -> s3_secret_key; anything but ASCII letters and digits becomes _."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name or "")
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def vault_variable(label, field, taken):
    """A valid, unused Ansible variable name vault_<label>_<field>; ``taken`` collects the names given out."""
    base = "vault_%s_%s" % (_snake(label) or "destination", _snake(field) or "secret")
    base = re.sub(r"_+", "_", base)
    name, count = base, 1
    while name in taken or keyword.iskeyword(name) or not name.isidentifier():
        count += 1
        name = "%s_%d" % (base, count)
    taken.add(name)
    return name


def _one_line(text):
    """Text fit for a YAML comment: no line breaks."""
    return re.sub(r"[\r\n\x85\u2028\u2029]+", " ", str(text))


def _label(flow, index, total):
    name = flow.get("name") or flow.get("id") or "dataflow"
    return name if total == 1 else "%s (target %d of %d)" % (name, index + 1, total)


def _auth_params(entry, base, variables, taken, label):
    """Non-secret auth values as they are, every secret field as a vault reference (none read from ``base``)."""
    secrets = list(entry.get("secret_auth_fields") or [])
    declared = list(entry.get("auth_fields") or [])
    current = ((base or {}).get("auth") or {}).get("params") or {}
    params = {}
    for field in declared:
        if field in secrets:
            continue
        if field in current:
            params[field] = current[field]
    refs = variables.setdefault(entry["base_connection_id"], {})
    for field in secrets:
        if field not in refs:
            refs[field] = vault_variable(label, field, taken)
        params[field] = Template("{{ %s }}" % refs[field])
    return params


def dataflow_settings(flow):
    """The dataflow's settings as aep_flow's options: enabled, and its audiences with the keys they carry."""
    settings = {}
    if flow.get("state") in ("enabled", "disabled"):  # a state in transition says nothing to keep
        settings["enabled"] = flow["state"] == "enabled"
    if "segmentSelectors" in (transform_params(flow) or {}):
        audiences = []
        for selector in segment_selectors(flow):
            value = selector.get("value") or {}
            if not value.get("id"):
                continue
            audience = {"id": value["id"]}
            audience.update((k, value[k]) for k in AUDIENCE_KEYS if k != "schedule" and value.get(k) is not None)
            schedule = {k: value["schedule"][k] for k in SCHEDULE_KEYS
                        if isinstance(value.get("schedule"), dict) and value["schedule"].get(k) is not None}
            if schedule:
                audience["schedule"] = schedule
            audiences.append(audience)
        settings["audiences"] = audiences
    return settings


def destination_items(results, include_auth=False, include_dataflow=False):
    """(items, vault_variables) from aep_flow_info results (each with flows read with include_connections).

    ``vault_variables`` lists, in order, dicts with the variable name and what it is for. With
    ``include_dataflow`` the first item of each dataflow carries its settings under ``dataflow``.
    """
    items = []
    variables = {}   # base connection id -> {field: variable name}; one set per base connection
    taken = set()
    wanted = []
    for result in results:
        for flow in result.get("flows") or []:
            entries = flow.get("destinations") or []
            targets = {t.get("id"): t for t in flow.get("target_connections") or []}
            bases = {b.get("id"): b for b in flow.get("base_connections") or []}
            multiple_bases = len({e.get("base_connection_id") for e in entries}) > 1
            for index, entry in enumerate(entries):
                if entry["target_connection_id"] not in targets:
                    continue  # listed on the dataflow but not readable: nothing to write down
                label = _label(flow, index, len(entries))
                item = {"label": label, "flow_id": flow["id"],
                        "sandbox": flow.get("sandboxName") or result.get("sandbox")}
                if len(entries) > 1:
                    item["target_connection_id"] = entry["target_connection_id"]
                base_id = entry.get("base_connection_id")
                with_auth = include_auth and base_id in bases and bool(entry.get("auth_fields"))
                if with_auth and multiple_bases:
                    item["base_connection_id"] = base_id
                item["params"] = dict(entry.get("params") or {})
                if with_auth:
                    before = dict(variables.get(base_id) or {})
                    item["auth_params"] = _auth_params(entry, bases[base_id], variables, taken, label)
                    # Adopting must not rotate anything: send credentials only when a comparable field differs.
                    item["update_secrets"] = "on_change"
                    for field, name in variables.get(base_id, {}).items():
                        if field not in before:
                            wanted.append({"name": name, "field": field, "label": label,
                                           "destination": entry.get("name") or entry.get("spec_id"),
                                           "base_connection_id": base_id})
                if include_dataflow and index == 0:
                    item["dataflow"] = dataflow_settings(flow)
                items.append(item)
    return items, wanted


def collection_version():
    """The version of this collection (MANIFEST.json when installed, galaxy.yml in a checkout), or None."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        with open(os.path.join(root, "MANIFEST.json"), encoding="utf-8") as handle:
            return json.load(handle)["collection_info"]["version"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        with open(os.path.join(root, "galaxy.yml"), encoding="utf-8") as handle:
            return str(yaml.safe_load(handle)["version"])
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None


def export_text(results, include_auth=False, made_at=None, made_by=None, include_dataflow=False):
    """The whole exported file: a comment saying when, from where and by what, then the role's list."""
    items, wanted = destination_items(results, include_auth, include_dataflow)
    sandboxes = []
    for result in results:
        if result.get("sandbox") and result["sandbox"] not in sandboxes:
            sandboxes.append(result["sandbox"])
    urls = sorted({r.get("platform_url") for r in results if r.get("platform_url")})
    flows = {(i["sandbox"], i["flow_id"]) for i in items}
    version = collection_version()
    lines = [
        "# Destinations exported as code by %s" % _one_line(made_by or "aep.flow_service"),
        "#   (collection aep.flow_service %s)" % (version or "of unknown version"),
        "# When: %s" % _one_line(made_at or "unknown"),
        "# From: %s, sandbox %s" % (_one_line(", ".join(urls) or "unknown platform URL"),
                                    _one_line(", ".join(sandboxes) or "unknown")),
        "# What: %d destination(s) of %d dataflow(s); the target connections' params as they are now."
        % (len(items), len(flows)),
        "# No secret, masked value or token is in this file.",
        "#",
        "# Review it, commit it, then apply it with the aep.flow_service.destination_connections role",
        "# (for example: vars_files: [this file]); applying it unchanged writes nothing.",
    ]
    if include_dataflow:
        lines.append("# Dataflows: each dataflow's first item has its settings (enabled, audiences with schedules)")
        lines.append("# under dataflow, with the options of aep.flow_service.aep_flow; the role converges them too.")
    if not include_auth:
        lines.append("# Credentials are left out, so the role does not touch them (export_include_auth: true adds them).")
    elif wanted:
        lines += ["#", "# Credentials: non-secret auth params as they are; every secret is a vault variable to create,",
                  "# for example with ansible-vault encrypt_string, in a vaulted vars file:"]
        for var in wanted:
            lines.append("#   %s: %s of %s (%s, base connection %s)" % (
                var["name"], _one_line(var["field"]), _one_line(var["label"]), _one_line(var["destination"]),
                var["base_connection_id"]))
        lines.append("# Items with credentials use update_secrets: on_change, so applying them rotates nothing.")
    else:
        lines.append("# Credentials: none of these destinations has a secret auth field.")
    body = yaml.dump({"destination_connections_list": _guard(items)}, Dumper=_Dumper, default_flow_style=False,
                     sort_keys=False, allow_unicode=True, width=120, explicit_start=True)
    return "\n".join(lines) + "\n" + body
