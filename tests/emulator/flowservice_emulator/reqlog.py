"""The request log read by tests through ``GET /_emulator/requests``.

Every API and IMS request gets an entry when it arrives; its ``status`` is filled in when the response
is sent and stays ``null`` for a dropped connection. Control-API requests are not logged.
"""
from __future__ import annotations

import collections
import itertools
import threading

MAX_ENTRIES = 100_000


class RequestLog:
    """A bounded, thread-safe list of request entries."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque = collections.deque(maxlen=max_entries)
        self._seq = itertools.count(1)

    def start(self, method: str, path: str, query: str, headers, body: object) -> dict:
        """Record an arriving request and return its entry (``headers`` is a case-insensitive mapping)."""
        entry = {"seq": 0, "method": method, "path": path, "query": query, "status": None,
                 "if_match": headers.get("If-Match"), "sandbox": headers.get("x-sandbox-name"),
                 "api_key": headers.get("x-api-key"), "body": body}
        with self._lock:
            entry["seq"] = next(self._seq)
            self._entries.append(entry)
        return entry

    def finish(self, entry: dict, status: int | None) -> None:
        """Set the status of a logged request once its response is sent."""
        with self._lock:
            entry["status"] = status

    def entries(self) -> list[dict]:
        """A copy of every entry, oldest first."""
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self) -> None:
        """Forget every entry (the sequence keeps counting)."""
        with self._lock:
            self._entries.clear()
