# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Throttling handled together: every Flow Service request of a run takes a slot from one pool.

Adobe throttles the Platform APIs with 429 and publishes no Flow Service rate. When each worker retried on its own,
32 workers kept hitting the limit and some gave up. Here a 429 pauses the whole pool for its Retry-After (or a
shared backoff), and the number of requests in flight adapts as TCP's window does: halved on a 429, one more after
a run of answers without one, never above the workers asked for. Whether a 429 spends one of a request's retries
is the caller's (_http.py): only when no other request of the pool got through since its last try. And when no
request of the run has got through for STALL_LIMIT seconds, the run is stalled: its 429s fail at once; so
does a request that has itself had nothing but 429 for that long.
"""

from __future__ import annotations

import threading
import time

from ansible_collections.aep.flow_service.plugins.module_utils._backoff import backoff

PAUSE_BASE, PAUSE_CAP = 1.0, 30.0  # the shared backoff when a 429 carries no Retry-After
STALL_LIMIT = 120.0  # seconds of nothing but 429 (for the run, or for one request): then it fails


class Throttle:
    """A pool of request slots shared by the threads of one run.

    ``acquire()`` waits while the pool is paused or full and returns a ticket; ``release(ticket, status)`` hands
    the slot back with the answer's status (None when no answer came). ``sleep`` waits out a pause (a test passes
    one that records); ``clock`` is monotonic.
    """

    def __init__(self, ceiling=1, sleep=time.sleep, clock=time.monotonic, stall_limit=STALL_LIMIT):
        self.ceiling = max(1, int(ceiling))
        self.limit = self.ceiling  # start wide open: most runs are never throttled
        self.sleep = sleep
        self.clock = clock
        self.in_flight = 0
        self.paused_until = 0.0
        self.window = 0  # bumped at each decrease: one decrease per window of requests, as in TCP
        self.streak = 0  # answers without a 429 since the limit last changed
        self.pauses = 0  # 429s since the last other answer, for the shared backoff
        self.answers = 0  # answers other than 429: progress, which _http reads to decide what a 429 costs
        self.throttled = 0  # every 429 of the run
        self.stall_limit = stall_limit
        self.stalled_since = None  # the first 429 since the last other answer
        self.cond = threading.Condition()

    def acquire(self, waited=None):
        """A ticket for one request, once the pool is neither paused nor full. ``waited``: the end of a pause the
        caller has slept through already (the one its own 429 began)."""
        while True:
            with self.cond:
                until = self.paused_until
                if until != waited and until > self.clock():
                    pause = until - self.clock()
                elif self.in_flight < self.limit:
                    self.in_flight += 1
                    return self.window
                else:
                    self.cond.wait()  # a slot comes free, or a pause begins
                    continue
            self.sleep(pause)  # outside the lock: the requests in flight still come back meanwhile
            waited = until

    def release(self, ticket, status):
        with self.cond:
            self.in_flight -= 1
            if status == 429:
                self.throttled += 1
                self.streak = 0
                if self.stalled_since is None:
                    self.stalled_since = self.clock()
                if ticket == self.window:  # the first 429 of this window; the others were sent before the cut
                    self.window += 1
                    self.limit = max(1, self.limit // 2)
            elif status is not None:
                self.answers += 1
                self.pauses = 0
                self.stalled_since = None
                self.streak += 1
                if self.streak >= self.limit and self.limit < self.ceiling:
                    self.limit += 1
                    self.streak = 0
            self.cond.notify_all()

    def pause(self, seconds=None):
        """Pause the whole pool for ``seconds`` (a 429's Retry-After), else for a growing, jittered backoff.

        Returns (seconds, until): the caller sleeps ``seconds`` itself and passes ``until`` to its next acquire.
        """
        with self.cond:
            if seconds is None:
                seconds = backoff(self.pauses, PAUSE_BASE, PAUSE_CAP, least=0.5)
            self.pauses += 1
            until = self.clock() + seconds
            self.paused_until = max(self.paused_until, until)
            self.cond.notify_all()
            return seconds, until

    def given_up(self, since):
        """Why a throttled request should stop, or None: the run has had nothing but 429 for the stall limit, or
        this request has, since its first 429 at ``since`` (one path throttled while the others get through)."""
        with self.cond:
            now = self.clock()
            if self.stalled_since is not None and now - self.stalled_since >= self.stall_limit:
                return "no request of this run got through for %.0f s, %d answers 429 in all" % (
                    now - self.stalled_since, self.throttled)
            if now - since >= self.stall_limit:
                return "this request got nothing but 429 for %.0f s" % (now - since)
            return None
