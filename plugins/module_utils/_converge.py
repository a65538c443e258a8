# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Read, compare, write: the one path by which a module changes a Flow Service resource.

One GET, operations only for real differences, one PATCH guarded by If-Match. When someone else wrote
in between (412), read again and recompute, so that their change is kept and ours still lands.
"""

from __future__ import annotations

import random

from ansible_collections.aep.flow_service.plugins.module_utils._client import ApiError
from ansible_collections.aep.flow_service.plugins.module_utils._patch import PatchError, apply_patch

# Several writers of one resource (forks, parallel jobs) each see a 412 for every write that lands before
# theirs; 8 at once need up to 7 retries. The jittered pause spreads the retries so that one lands each round.
MAX_CONFLICTS = 10
CONFLICT_BACKOFF = 0.1  # seconds, doubled after each conflict, capped at CONFLICT_BACKOFF_CAP, full jitter
CONFLICT_BACKOFF_CAP = 2.0


class ConvergeError(Exception):
    pass


class Outcome:
    """What converge did: the resource before, the (predicted) resource after, the operations, the new etag."""

    def __init__(self, before, after, operations, changed, etag):
        self.before = before
        self.after = after
        self.operations = operations
        self.changed = changed
        self.etag = etag


def converge(client, collection, item_id, compute, check_mode):
    """Bring ``collection/item_id`` to the state ``compute(current)`` asks for.

    ``compute`` returns the JSON Patch operations that turn ``current`` into the desired state (an empty
    list when nothing differs); it may raise ConvergeError for input it cannot honour. Raises ApiError
    for API failures and ConvergeError when the resource is missing or keeps changing under us.
    """
    conflicts = 0
    maybe_written = False
    while True:
        current = client.get_item(collection, item_id)
        if current is None:
            sandbox = client.options["sandbox"]
            raise ConvergeError("%s %s was not found in sandbox %s" % (_label(collection), item_id, sandbox))
        operations = compute(current)
        etag = current.get("etag")
        if not operations:
            return Outcome(current, current, [], maybe_written, etag)
        try:
            predicted = apply_patch(current, operations)
        except PatchError as exc:
            raise ConvergeError("internal error: the computed patch does not apply: %s" % exc)
        if check_mode:
            return Outcome(current, predicted, operations, True, etag)
        writes_before = client.unconfirmed_writes
        try:
            new_etag = client.patch(collection, item_id, operations, etag)
        except ApiError as exc:
            if exc.status != 412:
                raise
            # Someone changed the resource since our read (or a retried write of ours landed): start over.
            maybe_written = maybe_written or client.unconfirmed_writes > writes_before
            conflicts += 1
            if conflicts >= MAX_CONFLICTS:
                ours = ("an earlier write of ours got no answer and may have been applied" if maybe_written
                        else "nothing of ours was written")
                raise ConvergeError("%s %s changed %d times while we tried to update it (412 Precondition Failed, "
                                    "request id %s); %s. Run again when the other writer is done."
                                    % (_label(collection), item_id, conflicts, exc.request_id, ours))
            client.sleep(random.uniform(0, min(CONFLICT_BACKOFF_CAP, CONFLICT_BACKOFF * 2 ** (conflicts - 1))))
            continue
        if new_etag:
            predicted["etag"] = new_etag
            predicted["version"] = new_etag
        return Outcome(current, predicted, operations, True, new_etag or etag)


def _label(collection):
    return {"targetConnections": "target connection", "connections": "base connection", "flows": "dataflow",
            "connectionSpecs": "connection spec"}.get(collection, collection)
