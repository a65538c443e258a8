# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only callback: appends every task result, as Ansible hands it to callbacks, to a JSON-lines file."""

from __future__ import annotations

DOCUMENTATION = r"""
name: record_results
type: aggregate
short_description: Write task results to a JSON-lines file for the integration tests
description:
  - Appends one JSON line per task result to the file named by E(AEP_TEST_RESULTS).
requirements:
  - the environment variable E(AEP_TEST_RESULTS)
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status):
        path = os.environ.get("AEP_TEST_RESULTS")
        if not path:
            return
        line = {
            "task": result.task_name,
            "host": result.host.get_name(),
            "status": status,
            "result": result._result,  # pylint: disable=protected-access
        }
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "changed" if result._result.get("changed") else "ok")  # pylint: disable=protected-access

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_item_on_ok(self, result):
        self._record(result, "item_changed" if result._result.get("changed") else "item_ok")  # pylint: disable=protected-access

    def v2_runner_item_on_failed(self, result):
        self._record(result, "item_failed")
