# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""One dataflow run: the PATCH through converge(), then the enable/disable action, each write waited out.

Adobe applies dataflow writes asynchronously (``lastOperation``; states ``updating``, ``enabling``,
``disabling``), and refuses an action while an update is in progress.
"""

from __future__ import annotations

import time

from ansible_collections.aep.flow_service.plugins.module_utils._client import _quote_id
from ansible_collections.aep.flow_service.plugins.module_utils._errors import ConvergeError
from ansible_collections.aep.flow_service.plugins.module_utils._flow import COLLECTION, flow_view
from ansible_collections.aep.flow_service.plugins.module_utils._flow_rules import AUDIENCE_GUARDRAIL, segment_selectors

IN_PROGRESS_STATES = ("updating", "enabling", "disabling", "initializing")
IN_PROGRESS_STATUSES = ("inprogress", "in_progress", "processing", "pending", "queued", "running", "started")
DONE_STATUSES = ("completed", "complete", "success", "succeeded")
POLL_FIRST, POLL_CAP = 0.25, 5.0  # seconds between reads while a write is applied (doubling)


class FlowWaitError(ConvergeError):
    """A dataflow write that failed or did not finish in time; it was sent, so something may have changed."""


def in_progress(flow):
    """Whether a write of the dataflow is still being applied."""
    if str(flow.get("state") or "").lower() in IN_PROGRESS_STATES:
        return True
    status = ((flow.get("lastOperation") or {}).get("status") or {}).get("value")
    return str(status or "").lower() in IN_PROGRESS_STATUSES


def operation_failure(flow):
    """What went wrong with the dataflow's last operation, or None when it completed."""
    last = flow.get("lastOperation") or {}
    status = last.get("status") or {}
    value, errors = status.get("value"), status.get("errors") or []
    if not errors and (value is None or str(value).lower() in DONE_STATUSES):
        return None
    details = "; ".join("%s %s" % (e.get("code") or "", e.get("message") or "") if isinstance(e, dict) else str(e)
                        for e in errors)
    return "its last operation (%s) ended %s%s" % (last.get("operation"), value, ": " + details if details else "")


class FlowRun:
    """One dataflow brought to the options: PATCH through converge(), then the action, each write waited out.

    ``step`` says what was being done when an exception left ``run``.
    """

    def __init__(self, kind, flow_id, check_mode, clock=time.monotonic):
        """``kind``: the _flow.Dataflow holding the options and the client."""
        self.client, self.kind, self.flow_id, self.check_mode = kind.client, kind, flow_id, check_mode
        self.want, self.clock = kind.want, clock
        self.step = "Updating dataflow %s" % flow_id
        self.warnings = []
        self.sent = False  # whether a write was accepted, so that a later failure still reports changed

    def run(self):
        """The result: flow (after), patch, action, changed, etag, and before/after views for the diff."""
        want = self.want
        outcome = self.kind.converge(self.flow_id, self.check_mode)
        before, flow, changed = outcome.before, outcome.after, outcome.changed
        self.sent = changed and not self.check_mode
        if len(segment_selectors(flow)) > AUDIENCE_GUARDRAIL:
            self.warnings.append("dataflow %s exports %d audiences, more than Adobe's guardrail of %d per dataflow"
                                 % (self.flow_id, len(segment_selectors(flow)), AUDIENCE_GUARDRAIL))
        action = None
        if not self.check_mode and (outcome.operations or in_progress(flow)) and (
                want.get("wait", True) or want.get("enabled") is not None):
            flow = self.settled("Waiting for the update of dataflow %s" % self.flow_id)  # an action waits anyway
        if want.get("enabled") is not None and flow.get("state") != ("enabled" if want["enabled"] else "disabled"):
            action = "enable" if want["enabled"] else "disable"
            changed = True
            if self.check_mode:
                flow = dict(flow, state=action + "d")
            else:
                self.step = "%s dataflow %s" % (action.capitalize()[:-1] + "ing", self.flow_id)
                answer = self.client.request("POST", "/flows/%s/action" % _quote_id(self.flow_id),
                                             params={"op": action}) or {}
                self.sent = True
                if want.get("wait", True):
                    flow = self.settled("Waiting for dataflow %s to %s" % (self.flow_id, action))
                else:
                    flow = dict(flow, state=action + "d", etag=answer.get("etag") or flow.get("etag"))
        return {"changed": changed, "flow": flow, "patch": outcome.operations, "action": action,
                "etag": flow.get("etag"), "before": flow_view(before), "after": flow_view(flow)}

    def settled(self, step):
        """Read the dataflow until its write is applied (up to wait_timeout); fail when it failed."""
        self.step = step
        timeout = float(self.want.get("wait_timeout") or 300)
        deadline, pause = self.clock() + timeout, POLL_FIRST
        while True:
            flow = self.client.get_item(COLLECTION, self.flow_id)
            if flow is None:
                raise FlowWaitError("dataflow %s disappeared while its write was applied" % self.flow_id)
            if not in_progress(flow):
                failure = operation_failure(flow)
                if failure:
                    raise FlowWaitError("dataflow %s: %s" % (self.flow_id, failure))
                return flow
            left = deadline - self.clock()
            if left <= 0:
                raise FlowWaitError("dataflow %s was still %s after %g seconds (wait_timeout); the write was "
                                    "accepted and may still complete: run the task again to see"
                                    % (self.flow_id, flow.get("state"), timeout))
            self.client.sleep(min(pause, left))
            pause = min(pause * 2, POLL_CAP)
