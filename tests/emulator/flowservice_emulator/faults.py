"""Injected faults: a status response, a dropped connection, a delay, a redirect or an answer that quotes the
request, for a count of matching requests.

``redirect`` answers ``status`` (301, 302, 303, 307 or 308) with ``Location: <location>``, as a proxy, a
misconfigured gateway or an attacker in the path could. ``echo`` answers ``status`` (default 400) with a body
that quotes the request as careless servers do in error messages: ``quote`` is ``headers`` (every request
header as ``Name: value`` lines), ``body`` (the raw body as received: URL-encoded for an IMS form, JSON text
for a PATCH) or ``form`` (the body decoded as a form, ``name=value`` with the values decoded); ``format`` is
``json`` (``{"message": ...}``) or ``text`` (``text/plain``); ``pad`` puts that many filler characters before the
quote (a long text body, so that what quotes a secret lies across a client's truncation point).

``applied`` processes the request normally (a write lands), then answers ``status`` with ``headers`` and
``body`` as ``status`` does, instead of the real answer: a write that landed behind a gateway's 504, or a
success whose reply the client cannot read. With ``format`` ``html`` the ``body`` string is sent as text/html.

A fault matches a request when its ``method`` is ``*`` or equals the request method (any case) and its
``path`` regular expression is found (``re.search``) in the request path (without the query string).
Faults are tried in the order they were added; the first match fires and its count goes down by one;
at zero it disappears.
"""
from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

KINDS = ("status", "drop", "delay", "redirect", "echo", "applied")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
QUOTES = ("headers", "body", "form")
FORMATS = ("json", "text")
APPLIED_FORMATS = ("json", "html")


class TextBody(str):
    """A response body the server sends as text/plain instead of JSON."""

    content_type = "text/plain;charset=utf-8"


class HtmlBody(TextBody):
    """A response body the server sends as text/html (a proxy's or a gateway's page)."""

    content_type = "text/html;charset=utf-8"


@dataclass
class Fault:
    """One registered fault."""

    fid: str
    method: str
    path: str
    kind: str
    count: int
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: object = None
    has_body: bool = False
    delay_ms: int = 0
    location: str = ""
    quote: str = "headers"
    format: str = "json"
    pad: int = 0
    pattern: re.Pattern = field(default=re.compile(""), repr=False)

    def describe(self) -> dict:
        """The fault as the control API shows it (``count`` is what remains)."""
        shown = {"id": self.fid, "method": self.method, "path": self.path, "kind": self.kind, "count": self.count}
        if self.kind in ("status", "applied"):
            shown.update(status=self.status, headers=dict(self.headers))
            if self.has_body:
                shown["body"] = self.body
        if self.kind == "applied":
            shown["format"] = self.format
        if self.kind == "delay":
            shown["delay_ms"] = self.delay_ms
        if self.kind == "redirect":
            shown.update(status=self.status, location=self.location)
        if self.kind == "echo":
            shown.update(status=self.status, quote=self.quote, format=self.format, pad=self.pad)
        return shown

    def answer(self, headers, body: bytes) -> tuple[int, object, dict]:
        """(status, payload, headers) of a ``redirect`` or ``echo`` fault for this request."""
        if self.kind == "redirect":
            return self.status, None, {"Location": self.location}
        if self.quote == "headers":
            quoted = "\n".join(f"{name}: {value}" for name, value in headers.items())
        elif self.quote == "form":
            quoted = "&".join(f"{name}={value}" for name, value in parse_qsl(body.decode("utf-8", "replace"),
                                                                             keep_blank_values=True))
        else:
            quoted = body.decode("utf-8", "replace")
        text = "x" * self.pad + "The request was: " + quoted
        if self.format == "text":
            return self.status, TextBody(text), {}
        return self.status, {"message": text}, {}


def _positive_int(spec: dict, key: str, default: int | None, minimum: int) -> int:
    value = spec.get(key, default)
    if value is None:
        raise ValueError(f"'{key}' is required")
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"'{key}' must be an integer >= {minimum}")
    return value


def build(fid: str, spec: object) -> Fault:
    """Validate a fault spec (the JSON body of ``POST /_emulator/faults``) and build the Fault."""
    if not isinstance(spec, dict):
        raise ValueError("the fault spec must be a JSON object")
    unknown = set(spec) - {"method", "path", "kind", "status", "headers", "body", "delay_ms", "count", "location",
                           "quote", "format", "pad"}
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    method = spec.get("method", "*")
    path = spec.get("path", "")
    kind = spec.get("kind")
    if not isinstance(method, str) or not method:
        raise ValueError("'method' must be an HTTP method or '*'")
    if not isinstance(path, str):
        raise ValueError("'path' must be a regular expression string")
    try:
        pattern = re.compile(path)
    except re.error as exc:
        raise ValueError(f"'path' is not a valid regular expression: {exc}") from exc
    if kind not in KINDS:
        raise ValueError(f"'kind' must be one of {', '.join(KINDS)}")
    fault = Fault(fid=fid, method=method.upper(), path=path, kind=kind, count=_positive_int(spec, "count", 1, 1), pattern=pattern)
    if kind in ("status", "applied"):
        fault.status = _positive_int(spec, "status", None, 100)
        if fault.status > 599:
            raise ValueError("'status' must be an HTTP status between 100 and 599")
        headers = spec.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, (str, int)) for k, v in headers.items()):
            raise ValueError("'headers' must map header names to strings")
        fault.headers = {k: str(v) for k, v in headers.items()}
        fault.has_body = "body" in spec
        fault.body = spec.get("body")
    if kind == "applied":
        fault.format = spec.get("format", "json")
        if fault.format not in APPLIED_FORMATS:
            raise ValueError(f"'format' of an applied fault must be one of {', '.join(APPLIED_FORMATS)}")
        if fault.format == "html":
            if not isinstance(fault.body, str):
                raise ValueError("'body' of an html answer must be a string")
            fault.body = HtmlBody(fault.body)
    if kind == "delay":
        fault.delay_ms = _positive_int(spec, "delay_ms", None, 0)
    if kind == "redirect":
        fault.status = spec.get("status", 307)
        if fault.status not in REDIRECT_STATUSES:
            raise ValueError(f"'status' of a redirect must be one of {', '.join(map(str, REDIRECT_STATUSES))}")
        fault.location = spec.get("location")
        if not isinstance(fault.location, str) or not fault.location:
            raise ValueError("'location' (the URL to redirect to) is required")
    if kind == "echo":
        fault.status = _positive_int(spec, "status", 400, 100)
        if fault.status > 599:
            raise ValueError("'status' must be an HTTP status between 100 and 599")
        fault.quote = spec.get("quote", "headers")
        fault.format = spec.get("format", "json")
        if fault.quote not in QUOTES:
            raise ValueError(f"'quote' must be one of {', '.join(QUOTES)}")
        if fault.format not in FORMATS:
            raise ValueError(f"'format' must be one of {', '.join(FORMATS)}")
        fault.pad = _positive_int(spec, "pad", 0, 0)
    return fault


class FaultRegistry:
    """The ordered list of active faults (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, spec: object) -> Fault:
        """Register a fault from its spec; raises ValueError on a bad spec."""
        with self._lock:
            fault = build(f"fault-{next(self._ids)}", spec)
            self._faults.append(fault)
            return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching the request, with its count consumed; None when none matches."""
        with self._lock:
            for fault in self._faults:
                if fault.method in ("*", method.upper()) and fault.pattern.search(path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def describe(self) -> list[dict]:
        """Every remaining fault, in order."""
        with self._lock:
            return [fault.describe() for fault in self._faults]

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()
