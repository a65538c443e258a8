"""Behaviour switches that a test may change while the emulator runs (``GET``/``PATCH /_emulator/settings``).

Each starts at its command-line value and goes back to it on ``POST /_emulator/reset``:

* ``error_shape``: ``full`` (the FLOW envelope) or ``short``: a 404 for a missing resource and a 412 on a
  stale etag come as ``{"errorMessage", "errorDetails"}`` only, as in the examples of Adobe's destinations
  OpenAPI file;
* ``sandbox_error``: the catalog code of an unknown ``x-sandbox-name``: ``2100``, ``2101`` or ``2103``
  (all ``404``; the catalog does not say which the service picks when, so a test chooses);
* ``settle_ms``: how long a dataflow write (PATCH, enable, disable) stays in progress; 0 applies it at once.
"""
from __future__ import annotations

import threading

ERROR_SHAPES = ("full", "short")
SANDBOX_ERRORS = ("2100", "2101", "2103")
NAMES = ("error_shape", "sandbox_error", "settle_ms")


def check(name: str, value: object) -> object:
    """The value if it is valid for ``name``; ValueError otherwise."""
    if name not in NAMES:
        raise ValueError(f"unknown setting '{name}'; known: {', '.join(NAMES)}")
    if name == "error_shape" and value not in ERROR_SHAPES:
        raise ValueError(f"'error_shape' must be one of {', '.join(ERROR_SHAPES)}")
    if name == "sandbox_error":
        value = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else value
        if value not in SANDBOX_ERRORS:
            raise ValueError(f"'sandbox_error' must be one of {', '.join(SANDBOX_ERRORS)}")
    if name == "settle_ms" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise ValueError("'settle_ms' must be an integer >= 0")
    return value


class Settings:
    """The current switches (thread-safe reads of plain attributes; changes under a lock)."""

    def __init__(self, error_shape: str = "full", sandbox_error: str = "2100", settle_ms: int = 0) -> None:
        self._initial = {name: check(name, value) for name, value in
                         (("error_shape", error_shape), ("sandbox_error", sandbox_error), ("settle_ms", settle_ms))}
        self._lock = threading.Lock()
        self.error_shape, self.sandbox_error, self.settle_ms = error_shape, str(sandbox_error), settle_ms

    def describe(self) -> dict:
        """Every setting and its current value."""
        return {name: getattr(self, name) for name in NAMES}

    def change(self, changes: object) -> dict:
        """Apply a ``{name: value}`` object (all or nothing); ValueError on a bad one."""
        if not isinstance(changes, dict):
            raise ValueError("the settings must be a JSON object")
        checked = {name: check(name, value) for name, value in changes.items()}
        with self._lock:
            for name, value in checked.items():
                setattr(self, name, value)
        return self.describe()

    def reset(self) -> None:
        """Back to the command-line values."""
        self.change(dict(self._initial))
