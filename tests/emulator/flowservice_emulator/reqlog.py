"""The request log read by tests through ``GET /_emulator/requests``.

Every API and IMS request gets an entry when it arrives; its ``status`` is filled in when the response
is sent and stays ``null`` for a dropped connection. Control-API requests are not logged.

Times (``arrived``, ``answered``) are seconds since the epoch read from :func:`clock`: the monotonic clock
anchored to the wall clock once at start, so differences are exact even if the system clock is stepped
meanwhile, and the values still compare with a client's ``time.time()`` on the same machine.
"""
from __future__ import annotations

import collections
import itertools
import threading
import time

MAX_ENTRIES = 100_000

_ANCHOR = time.time() - time.monotonic()


def clock() -> float:
    """Now, in seconds since the epoch, on a clock that never goes back (sub-microsecond resolution)."""
    return _ANCHOR + time.monotonic()


class RequestLog:
    """A bounded, thread-safe list of request entries."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque = collections.deque(maxlen=max_entries)
        self._seq = itertools.count(1)

    def start(self, method: str, path: str, query: str, headers, body: object, arrived: float | None = None) -> dict:
        """Record an arriving request and return its entry (``headers`` is a case-insensitive mapping)."""
        entry = {"seq": 0, "method": method, "path": path, "query": query, "status": None,
                 "if_match": headers.get("If-Match"), "sandbox": headers.get("x-sandbox-name"),
                 "api_key": headers.get("x-api-key"), "body": body,
                 "arrived": clock() if arrived is None else arrived, "answered": None, "retry_after": None}
        with self._lock:
            entry["seq"] = next(self._seq)
            self._entries.append(entry)
        return entry

    def finish(self, entry: dict, status: int | None, headers: dict | None = None) -> None:
        """Set the status, answer time and ``Retry-After`` of a logged request as its response is sent."""
        retry_after = next((str(value) for name, value in (headers or {}).items() if name.lower() == "retry-after"), None)
        with self._lock:
            entry.update(status=status, answered=clock(), retry_after=retry_after)

    def entries(self) -> list[dict]:
        """A copy of every entry, oldest first."""
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self) -> None:
        """Forget every entry (the sequence keeps counting)."""
        with self._lock:
            self._entries.clear()
