# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Read, compare, write: the one path by which a module changes a Flow Service resource.

One GET, operations only for real differences, one PATCH guarded by If-Match. When someone else wrote
in between (412), read again and recompute, so that their change is kept and ours still lands. When the
resource is busy with an operation in progress (1416/1420/1421), wait it out and do the same. When the
answer to our write was lost (a gateway's 502/503/504, a dropped connection, a 2xx we cannot read), the
next read tells whether it landed, and the result says so.
"""

from __future__ import annotations

from ansible_collections.aep.flow_service.plugins.module_utils._backoff import backoff
from ansible_collections.aep.flow_service.plugins.module_utils._errors import (
    BUSY,
    ApiError,
    Conflict,
    ConvergeError,
    NotFound,
    StillBusy,
    busy_state,
)
from ansible_collections.aep.flow_service.plugins.module_utils._patch import PatchError, apply_patch

# Several writers of one resource (forks, parallel jobs) each see a 412 for every write that lands before
# theirs; 8 at once need up to 7 retries. The jittered pause spreads the retries so that one lands each round.
MAX_CONFLICTS = 10
CONFLICT_BACKOFF = 0.1  # seconds, doubled after each conflict, capped at CONFLICT_BACKOFF_CAP, full jitter
CONFLICT_BACKOFF_CAP = 2.0
# An operation in progress ends by itself, in seconds rather than milliseconds: pauses that grow from
# BUSY_BACKOFF to BUSY_BACKOFF_CAP, each at least half its nominal length (jittered so that parallel writers
# do not come back together), until BUSY_WAIT_LIMIT seconds of waiting in all.
BUSY_BACKOFF = 0.5
BUSY_BACKOFF_CAP = 8.0
BUSY_WAIT_LIMIT = 60.0


class Outcome:
    """What converge did: the resource before, the (predicted) resource after, the operations, the new etag."""

    def __init__(self, before, after, operations, changed, etag):
        self.before = before
        self.after = after
        self.operations = operations
        self.changed = changed
        self.etag = etag


def converge(client, collection, item_id, compute, check_mode, label=None):
    """Bring ``collection/item_id`` to the state ``compute(current)`` asks for (a kind's converge, _kinds.py).

    ``compute`` returns the JSON Patch operations that turn ``current`` into the desired state (an empty
    list when nothing differs); it may raise InvalidInput for input it cannot honour. Raises ApiError for
    API failures, NotFound when the resource is missing, Conflict when it keeps changing under us and
    StillBusy when an operation on it stays in progress; messages name it by ``label`` ("target connection").
    """
    label = label or collection
    conflicts = 0
    busy = Busy()
    unconfirmed = None  # (resource before our first unconfirmed write, operations of the last one)
    lost_answer = None  # the error of an unconfirmed write that was not retried: raised unless a read shows it landed
    while True:
        try:
            current = client.get_item(collection, item_id)
        except ApiError:
            if lost_answer is not None:
                raise lost_answer  # the write's own failure says more than that of the read checking it
            raise
        if current is None:
            sandbox = client.options["sandbox"]
            raise NotFound("%s %s was not found in sandbox %s" % (label, item_id, sandbox))
        operations = compute(current)
        etag = current.get("etag")
        if not operations:
            if unconfirmed:
                # Nothing left to do after a write of ours whose answer was lost: it landed, so we changed it.
                return Outcome(unconfirmed[0], current, unconfirmed[1], True, etag)
            return Outcome(current, current, [], False, etag)
        if lost_answer is not None:
            raise lost_answer  # the read shows our write did not (yet) land: report what happened to it
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
            if client.unconfirmed_writes > writes_before:
                unconfirmed = ((unconfirmed or (current,))[0], operations)
            if exc.status == 412:
                # Someone changed the resource since our read (or a retried write of ours landed): start over.
                conflicts += 1
                if conflicts >= MAX_CONFLICTS:
                    raise Conflict("%s %s changed %d times while we tried to update it (412 Precondition "
                                   "Failed, request id %s); %s. Run again when the other writer is done."
                                   % (label, item_id, conflicts, exc.request_id, ours(unconfirmed)))
                client.sleep(backoff(conflicts - 1, CONFLICT_BACKOFF, CONFLICT_BACKOFF_CAP))
                continue
            if exc.kind == BUSY:
                if not busy.wait(client.sleep):
                    raise StillBusy("%s %s stayed busy: %s was still in progress after %d attempts and %.0f s "
                                    "of waiting (HTTP %s %s, request id %s: %s); %s. Run again once it has "
                                    "finished." % (label, item_id, busy_state(exc, current), busy.tries,
                                                   busy.waited, exc.status, exc.code or "", exc.request_id,
                                                   exc.message, ours(unconfirmed)))
                continue
            if client.unconfirmed_writes > writes_before:
                lost_answer = exc  # read once more: the write may have landed all the same
                continue
            raise
        if new_etag:
            predicted["etag"] = new_etag
            predicted["version"] = new_etag
        return Outcome(unconfirmed[0] if unconfirmed else current, predicted, operations, True, new_etag or etag)


class Busy:
    """The waits for an operation in progress: growing, jittered, bounded by BUSY_WAIT_LIMIT in all."""

    def __init__(self):
        self.tries = 0
        self.waited = 0.0

    def wait(self, sleep):
        """Sleep before the next try; False (without sleeping) once the budget is spent."""
        self.tries += 1
        delay = backoff(self.tries - 1, BUSY_BACKOFF, BUSY_BACKOFF_CAP, least=0.5)
        if self.waited + delay > BUSY_WAIT_LIMIT:
            return False
        self.waited += delay
        sleep(delay)
        return True


def ours(unconfirmed):
    return ("an earlier write of ours got no answer and may have been applied" if unconfirmed
            else "nothing of ours was written")
