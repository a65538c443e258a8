# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: bench_target_connections
short_description: Benchmark prototype - converge many target connections in one module run
description:
  - Not part of the collection. Measures what a batch mode (one module run, bounded concurrency) would cost,
    against one module run per connection.
  - Each connection goes through the collection's own read-compare-write path (converge, SpecReader,
    target_operations) in a pool of threads, one client (one keep-alive session) per thread, one token shared.
author:
  - aep.flow_service contributors (@aep-flow-service)
options:
  connections:
    description: The target connections, each C({id, params}).
    type: list
    elements: dict
    required: true
  workers:
    description: Connections in flight at once.
    type: int
    default: 10
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.aep.flow_service.plugins.module_utils._client import ApiError, FlowServiceClient
from ansible_collections.aep.flow_service.plugins.module_utils._connections import SpecReader, target_operations
from ansible_collections.aep.flow_service.plugins.module_utils._converge import ConvergeError, converge
from ansible_collections.aep.flow_service.plugins.module_utils._module import AepModule


class SharedSpecs:
    """One SpecReader for every thread: each connection spec is read once per run, not once per thread."""

    def __init__(self, client):
        self.reader = SpecReader(client)
        self.lock = threading.Lock()

    def for_connection(self, connection):
        with self.lock:
            return self.reader.for_connection(connection)


def main():
    module = AepModule(argument_spec=dict(connections=dict(type="list", elements="dict", required=True),
                                          workers=dict(type="int", default=10)),
                       supports_check_mode=True)
    first = module.client
    first.tokens.get()  # mint (or read the cached token) once, before the threads share it
    specs = SharedSpecs(first)
    local = threading.local()

    def client():
        if not hasattr(local, "client"):
            local.client = FlowServiceClient(module.params)
            local.client.tokens = first.tokens
        return local.client

    def one(item):
        try:
            outcome = converge(client(), "targetConnections", item["id"],
                               lambda current: target_operations(current, specs.for_connection(current),
                                                                 item.get("params"), False),
                               module.check_mode)
        except (ApiError, ConvergeError) as exc:
            return {"id": item["id"], "failed": True, "msg": str(exc)}
        return {"id": item["id"], "changed": outcome.changed, "patch": outcome.operations}

    with ThreadPoolExecutor(max_workers=module.params["workers"]) as pool:
        results = list(pool.map(one, module.params["connections"]))
    failed = [r for r in results if r.get("failed")]
    if failed:
        module.fail_json(msg="%d of %d connections failed" % (len(failed), len(results)), results=results)
    module.exit_json(changed=any(r["changed"] for r in results), results=results)


if __name__ == "__main__":
    main()
