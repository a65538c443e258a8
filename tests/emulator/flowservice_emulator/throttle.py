"""The gateway's throttling of the Flow Service routes: one token bucket for every client.

The bucket holds up to ``throttle_burst`` tokens (``None``: ``max(1, throttle_rps)``) and gains
``throttle_rps`` tokens a second; a request that finds a whole token takes it, any other is answered 429 on
arrival, before the gateway checks, latency and faults, so it changes nothing. ``throttle_rps`` 0 turns it
off. The bucket starts full and is refilled whenever a throttle setting is changed or reset, so a test starts
from a known state.

Adobe publishes no Flow Service rate limit; the 429's body is the Adobe I/O gateway's (see README.md).
"""
from __future__ import annotations

import math
import threading
from typing import Callable

from .settings import Settings


class Throttle:
    """A locked token bucket that reads its rate and size from the settings at each request."""

    def __init__(self, settings: Settings, clock: Callable[[], float]) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: float | None = None  # None: full
        self._last = 0.0

    def refill(self) -> None:
        """Fill the bucket (after a change of the throttle settings)."""
        with self._lock:
            self._tokens = None

    def take(self) -> tuple[float, float | None]:
        """(arrival time, None) when the request may pass, (arrival time, seconds until the next token) when not.

        The clock is read under the lock, so decisions are made in the order of their arrival times: replaying
        the bucket over the logged ``arrived`` times gives the same answers.
        """
        with self._lock:
            now = self._clock()
            rate = self._settings.throttle_rps
            if not rate:
                return now, None
            burst = self._settings.throttle_burst or max(1.0, rate)
            tokens = burst if self._tokens is None else min(burst, self._tokens + (now - self._last) * rate)
            self._last = now
            if tokens >= 1:
                self._tokens = tokens - 1
                return now, None
            self._tokens = tokens
            return now, (1 - tokens) / rate

    def headers(self, wait: float) -> dict[str, str]:
        """The ``Retry-After`` header of a 429, as the ``throttle_retry_after`` setting says."""
        mode = self._settings.throttle_retry_after
        if mode == "none":
            return {}
        if mode == "auto":  # HTTP's delta-seconds are whole: round up so that a client waiting them finds a token
            return {"Retry-After": str(max(1, math.ceil(wait)))}
        return {"Retry-After": str(mode)}
