# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Many destinations in one module run: each one's target and base connection converged through converge(),
in a bounded pool of threads that share one token and one read of each connection spec.

A module run costs about 0.75 CPU-seconds before it sends a request (tests/benchmark/README.md); converging a
list in one run pays that once instead of once per connection, and the threads keep the network busy.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.aep.flow_service.plugins.module_utils._batch_items import BASE_KEYS, ID_OPTIONS, TARGET_KEYS, label_of, manages
from ansible_collections.aep.flow_service.plugins.module_utils._connections import read_flow, resolve_base_id, resolve_target_id
from ansible_collections.aep.flow_service.plugins.module_utils._errors import AepError, failure
from ansible_collections.aep.flow_service.plugins.module_utils._flow import Dataflow
from ansible_collections.aep.flow_service.plugins.module_utils._flow_run import FlowRun
from ansible_collections.aep.flow_service.plugins.module_utils._kinds import BaseConnection, TargetConnection
from ansible_collections.aep.flow_service.plugins.module_utils._schema import MASK

MAX_WORKERS = 32


class ResourceLocks:
    """Items that resolve to the same connection are converged one after the other, never at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.locks = {}

    def get(self, key):
        with self.lock:
            return self.locks.setdefault(key, threading.Lock())


class Batch:
    """Converges a list of destinations: each its target connection, then its base connection."""

    def __init__(self, options, api, check_mode, stop=None):
        """``options``: the module's params; its ``purge_params`` and ``update_secrets`` are the items' defaults.
        ``api`` (an _api.Api): each thread's clients, the shared token holder, throttle and specs.

        ``stop`` (a _stop.StopFlag): once set, items not yet started are reported as not started.
        """
        self.options = options
        self.api = api
        self.check_mode = check_mode
        self.stop = stop
        self.resources = ResourceLocks()
        self.warnings = []  # per destination, in the items' order, once run() is done

    def run(self, items, workers):
        """One entry per item, in order, and the diffs of the connections that change; warnings in self.warnings."""
        try:
            with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items) or 1))) as pool:
                done = list(pool.map(self.one, items))
        finally:
            self.api.close()
        entries = [entry for entry, diffs, warnings in done]
        self.warnings = [warning for entry, diffs, warnings in done for warning in warnings]
        return entries, [diff for entry, diffs, warnings in done for diff in diffs]

    @staticmethod
    def read_flow(client, item, entry):
        """The item's dataflow; an item without a label is then named by the dataflow's name, not its id."""
        flow = read_flow(client, item["flow_id"], ID_OPTIONS)
        if not item.get("label") and flow.get("name"):
            entry["label"] = flow["name"]
        return flow

    def one(self, item):
        sandbox = item.get("sandbox") or self.options["sandbox"]
        entry = {"label": label_of(item), "flow_id": item.get("flow_id"), "sandbox": sandbox, "status": "ok",
                 "failed_step": None, "error": None, "write_unconfirmed": False,
                 "target_connection": None, "base_connection": None, "dataflow": None}
        diffs, warnings = [], []
        if self.stop is not None and self.stop.stopped:
            entry.update(status="failed", failed_step="target" if manages(item, TARGET_KEYS) else "base",
                         error="not started: the run was stopped (%s)" % self.stop.reason)
            entry["summary"] = summary(entry, self.check_mode)
            return entry, diffs, warnings
        client = None
        writes_before = 0
        step, action, flow = "target", "Reading dataflow %s" % item.get("flow_id"), None
        finding = True  # while the dataflow is read to find the connections (see failure)
        try:
            client = self.api.client_for(sandbox)
            writes_before = client.unconfirmed_writes
            if manages(item, TARGET_KEYS):
                target_id = item.get("target_connection_id")
                if item.get("flow_id"):
                    flow = self.read_flow(client, item, entry)
                    target_id = resolve_target_id(client, item["flow_id"], target_id, flow, ID_OPTIONS)
                action, finding = "Updating target connection %s" % target_id, False
                entry["target_connection"] = self.target(client, sandbox, target_id, item, entry["label"], diffs,
                                                         warnings)
            step = "base"
            if manages(item, BASE_KEYS):
                base_id = item.get("base_connection_id")
                if not base_id:
                    action, finding = "Reading dataflow %s" % item["flow_id"], True
                    flow = flow or self.read_flow(client, item, entry)
                    base_id = resolve_base_id(client, item["flow_id"], flow, ID_OPTIONS)
                action, finding = "Updating base connection %s" % base_id, False
                entry["base_connection"] = self.base(client, sandbox, base_id, item, entry["label"], diffs, warnings)
            step = "dataflow"
            if item.get("dataflow") is not None:
                action, finding = "Updating dataflow %s" % item["flow_id"], False
                entry["dataflow"] = self.dataflow(client, sandbox, item, entry["label"], diffs, warnings)
        except AepError as exc:
            unconfirmed = client is not None and client.unconfirmed_writes > writes_before
            entry.update(status="failed", failed_step=step, write_unconfirmed=unconfirmed,
                         error=failure(exc, action, unconfirmed, finding)[0])
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # A bug must not hide what the other threads wrote: report it on this destination and go on.
            entry.update(status="failed", failed_step=step, error="%s failed with an unexpected error: %s: %s"
                         % (action, type(exc).__name__, exc),
                         write_unconfirmed=client is not None and client.unconfirmed_writes > writes_before)
        outcomes = (entry["target_connection"], entry["base_connection"], entry["dataflow"])
        if entry["status"] != "failed" and any((outcome or {}).get("changed") for outcome in outcomes):
            entry["status"] = "changed"
        entry["summary"] = summary(entry, self.check_mode)
        return entry, diffs, warnings

    def converge(self, sandbox, kind, item_id, label, diffs, warnings):
        """One resource of the item through its kind; its entry in the result (patch masked), its diff, warnings."""
        with self.resources.get((sandbox, kind.collection, item_id)):
            outcome = kind.converge(item_id, self.check_mode)
        warnings.extend(kind.warnings(label))
        if outcome.operations:
            diffs.append(diff_of("%s: %s %s" % (label, kind.label, item_id), kind.view(outcome.before),
                                 kind.view(outcome.after, outcome.operations)))
        return {"id": item_id, "changed": outcome.changed, "etag": outcome.etag,
                "patch": kind.shown_operations(outcome.operations)}

    def target(self, client, sandbox, target_id, item, label, diffs, warnings):
        purge = self.options["purge_params"] if item.get("purge_params") is None else item["purge_params"]
        kind = TargetConnection(self.api.specs, client, item.get("params"), purge, item.get("name"),
                                item.get("description"), item.get("allow_undeclared_params"))
        return self.converge(sandbox, kind, target_id, label, diffs, warnings)

    def base(self, client, sandbox, base_id, item, label, diffs, warnings):
        update_secrets = item.get("update_secrets") or self.options["update_secrets"]
        kind = BaseConnection(self.api.specs, client, item.get("auth_params"), update_secrets, item.get("base_name"),
                              item.get("base_description"), item.get("allow_undeclared_auth_params"))
        return self.converge(sandbox, kind, base_id, label, diffs, warnings)

    def dataflow(self, client, sandbox, item, label, diffs, warnings):
        flow_id = item["flow_id"]
        run = FlowRun(Dataflow(self.api.specs, client, item["dataflow"]), flow_id, self.check_mode)
        with self.resources.get((sandbox, "flows", flow_id)):
            result = run.run()
        if result["patch"] or result["action"]:
            diffs.append(diff_of("%s: dataflow %s" % (label, flow_id), result["before"], result["after"]))
        warnings.extend("%s: %s" % (label, warning) for warning in run.warnings)
        return {"id": flow_id, "changed": result["changed"], "etag": result["etag"], "patch": result["patch"],
                "action": result["action"]}


def diff_of(header, before, after):
    return {"before_header": header, "after_header": header, "before": before, "after": after}


def describe_auth_key(key, value):
    """An auth param by name; a non-secret one (an access key id) also by its last four characters, so that the
    report says which key goes in although no_log masks every auth_params value as a whole."""
    if isinstance(value, str) and value != MASK and len(value) >= 12:
        return "%s ending in %s" % (key, value[-4:])
    return key


def describe_operations(operations):
    """The operations as a person reads them; /auth/params by its key names only (see describe_auth_key)."""
    shown = []
    for op in operations:
        if op.get("path") == "/auth/params" and isinstance(op.get("value"), dict):
            shown.append("%s %s (%s)" % (op["op"], op["path"], ", ".join(
                describe_auth_key(key, op["value"][key]) for key in sorted(op["value"]))))
        elif op.get("op") == "remove":
            shown.append("%s %s" % (op["op"], op["path"]))
        else:
            shown.append("%s %s = %s" % (op["op"], op["path"], json.dumps(op.get("value"), sort_keys=True)))
    return ", ".join(shown) or "no change"


def summary(entry, check_mode):
    """One line per destination: what changed (or would), or why it failed."""
    parts = []
    for kind, key, what in (("target", "target_connection", "target connection"),
                            ("base", "base_connection", "base connection"), ("dataflow", "dataflow", "dataflow")):
        outcome = entry[key]
        if entry["failed_step"] == kind:
            parts.append("%s: %s" % (what, entry["error"]))
        elif outcome:
            action = ", %s" % outcome["action"] if outcome.get("action") else ""
            parts.append("%s %s: %s%s" % (what, outcome["id"], describe_operations(outcome["patch"]), action))
    verb = {"failed": "FAILED", "changed": "WOULD CHANGE" if check_mode else "CHANGED", "ok": "ok"}[entry["status"]]
    return "%s: %s - %s" % (entry["label"], verb, "; ".join(parts) or "nothing done")
