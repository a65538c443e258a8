"""Behaviour switches that a test may change while the emulator runs (``GET``/``PATCH /_emulator/settings``).

Each starts at its command-line value and goes back to it on ``POST /_emulator/reset``:

* ``error_shape``: ``full`` (the FLOW envelope) or ``short``: a 404 for a missing resource and a 412 on a
  stale etag come as ``{"errorMessage", "errorDetails"}`` only, as in the examples of Adobe's destinations
  OpenAPI file;
* ``sandbox_error``: the catalog code of an unknown ``x-sandbox-name``: ``2100``, ``2101`` or ``2103``
  (all ``404``; the catalog does not say which the service picks when, so a test chooses);
* ``settle_ms``: how long a dataflow write (PATCH, enable, disable) stays in progress; 0 applies it at once;
* ``throttle_rps``, ``throttle_burst``, ``throttle_retry_after``: the gateway's token bucket (``throttle.py``):
  requests per second (0: off), bucket size (``None``: ``max(1, throttle_rps)``) and the ``Retry-After`` of a
  429 (``auto``, ``none`` or whole seconds).
"""
from __future__ import annotations

import math
import threading

ERROR_SHAPES = ("full", "short")
SANDBOX_ERRORS = ("2100", "2101", "2103")
RETRY_AFTER_MODES = ("auto", "none")
NAMES = ("error_shape", "sandbox_error", "settle_ms", "throttle_rps", "throttle_burst", "throttle_retry_after")


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def retry_after_value(value: object) -> str | int:
    """``auto``, ``none`` or a whole number of seconds >= 0 (also given as digits); ValueError otherwise."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if value in RETRY_AFTER_MODES or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    raise ValueError("'throttle_retry_after' must be 'auto', 'none' or a whole number of seconds >= 0")


def check(name: str, value: object) -> object:
    """The value (normalised) if it is valid for ``name``; ValueError otherwise."""
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
    if name == "throttle_rps":
        if not _number(value) or value < 0:
            raise ValueError("'throttle_rps' must be a number >= 0 (0 turns throttling off)")
        value = float(value)
    if name == "throttle_burst" and value is not None:
        if not _number(value) or value < 1:
            raise ValueError("'throttle_burst' must be a number >= 1, or null for max(1, throttle_rps)")
        value = float(value)
    if name == "throttle_retry_after":
        value = retry_after_value(value)
    return value


class Settings:
    """The current switches (thread-safe reads of plain attributes; changes under a lock)."""

    def __init__(self, error_shape: str = "full", sandbox_error: str = "2100", settle_ms: int = 0, throttle_rps: float = 0.0,
                 throttle_burst: float | None = None, throttle_retry_after: str | int = "auto") -> None:
        given = dict(error_shape=error_shape, sandbox_error=sandbox_error, settle_ms=settle_ms, throttle_rps=throttle_rps,
                     throttle_burst=throttle_burst, throttle_retry_after=throttle_retry_after)
        self._initial = {name: check(name, value) for name, value in given.items()}
        self._lock = threading.Lock()
        self.error_shape, self.sandbox_error, self.settle_ms = "full", "2100", 0
        self.throttle_rps, self.throttle_burst, self.throttle_retry_after = 0.0, None, "auto"
        self.reset()

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
