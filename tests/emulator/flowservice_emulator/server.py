"""The threaded HTTP/1.1 server: reads requests, applies throttling, latency and faults, routes, writes JSON responses.

Connections are kept alive (``protocol_version = "HTTP/1.1"``, ``Content-Length`` on every response) so a
``requests.Session`` reuses them; Nagle's algorithm is off so small responses leave at once. Every
response carries ``x-request-id`` (the client's own value when it sent one).
"""
from __future__ import annotations

import email.utils
import json
import socket
import ssl
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import API_BASE, CONTROL_PREFIX, IMS_TOKEN_PATH, errors, gateway
from .api import FlowService
from .control import Control
from .data import Dataset
from .faults import FaultRegistry, TextBody
from .ims import TokenRegistry, loggable_form
from .reqlog import RequestLog, clock
from .settings import Settings
from .store import Store
from .throttle import Throttle

DEFAULT_TOKEN_LIFETIME = 86399
SERVER_NAME = "FlowServiceEmulator/1.0"
MAX_HEADERS = 100
MAX_LINE = 65536


@dataclass
class Options:
    """Behaviour switches from the command line."""

    latency_ms: int = 0
    strict_sandbox: bool = False
    secrets: str = "masked"
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME
    error_shape: str = "full"
    sandbox_error: str = "2100"
    settle_ms: int = 0
    throttle_rps: float = 0.0
    throttle_burst: float | None = None
    throttle_retry_after: str | int = "auto"


class Emulator:
    """All state of one emulator instance, shared by the request threads."""

    def __init__(self, dataset: Dataset, options: Options) -> None:
        self.options = options
        self.store = Store(dataset)
        self.tokens = TokenRegistry(dataset.clients, dataset.static_tokens, options.token_lifetime)
        self.faults = FaultRegistry()
        self.log = RequestLog()
        self.settings = Settings(options.error_shape, options.sandbox_error, options.settle_ms,
                                 options.throttle_rps, options.throttle_burst, options.throttle_retry_after)
        self.throttle = Throttle(self.settings, clock)
        self.service = FlowService(self.store, options.secrets, self.settings)
        self.control = Control(self)

    def error_body(self, error: errors.HttpError, request_id: str) -> object:
        """The body of an error response, in the short shape when the setting asks and the error has one."""
        if self.settings.error_shape == "short" and isinstance(error, errors.FlowError) and error.short is not None:
            return error.short_body()
        return error.body(request_id)

    def admit(self, path: str) -> tuple[float, errors.HttpError | None]:
        """(arrival time, None) or (arrival time, the 429) for a request arriving now.

        Only the Flow Service routes are throttled, by the gateway in front of them; IMS is another service.
        """
        if path != API_BASE and not path.startswith(API_BASE + "/"):
            return clock(), None
        arrived, wait = self.throttle.take()
        return arrived, None if wait is None else errors.too_many_requests(self.throttle.headers(wait))

    def serve_api(self, method: str, path: str, raw_query: str, body: bytes, headers) -> tuple[int, object, dict]:
        """Serve an IMS or Flow Service request; returns (status, JSON body, extra headers)."""
        if path == IMS_TOKEN_PATH:
            if method != "POST":
                raise errors.ImsError(405, "invalid_request", f"{method} is not supported on {path}")
            return 200, self.tokens.exchange(raw_query, body, headers.get("Content-Type") or ""), {}
        if path != API_BASE and not path.startswith(API_BASE + "/"):
            raise errors.route_not_found(path)
        client = gateway.authenticate(headers, self.tokens)
        gateway.check_content_type(headers, method, body)
        sandbox = gateway.resolve_sandbox(headers, self.store.sandboxes, self.options.strict_sandbox, self.settings.sandbox_error)
        document = None
        if body and method == "PATCH":
            try:
                document = json.loads(body)
            except ValueError as exc:
                raise errors.bad_json(str(exc)) from exc
        rest = path[len(API_BASE):].rstrip("/")
        status, payload = self.service.handle(method, rest, raw_query, document, headers, sandbox, client)
        return status, payload, {}


_DATE_CACHE: list = [0, ""]


def http_date() -> str:
    """The Date header value, formatted at most once a second."""
    now = int(time.time())
    if _DATE_CACHE[0] != now:
        _DATE_CACHE[:] = [now, email.utils.formatdate(now, usegmt=True)]
    return _DATE_CACHE[1]


def _logged_body(path: str, raw_query: str, body: bytes) -> object:
    if path == IMS_TOKEN_PATH:
        return loggable_form(raw_query, body)
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


class Headers(dict):
    """Request headers: names are stored lower-cased and looked up case-insensitively."""

    def get(self, key: str, default: object = None) -> object:
        return super().get(key.lower(), default)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


class Handler(BaseHTTPRequestHandler):
    """One connection; handles its requests one after the other.

    ``parse_request`` and ``_send`` are lean replacements of the standard library's (which parses headers
    with the e-mail parser and writes headers and body separately): they keep the emulator fast enough
    never to dominate a benchmark of its clients.
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: EmulatorHTTPServer
    headers: Headers  # type: ignore[assignment]

    def version_string(self) -> str:
        """The Server header."""
        return SERVER_NAME

    def log_message(self, format: str, *args: object) -> None:  # pylint: disable=redefined-builtin
        """Stay quiet: the request log is available through the control API."""

    def parse_request(self) -> bool:
        """Parse the request line and headers; answer errors itself and return False on them."""
        self.command = None
        self.request_version = self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3 or not words[2].startswith("HTTP/"):
            self.send_error(400, f"Bad request line {self.requestline!r}")
            return False
        command, path, version = words
        try:
            major, minor = (int(part) for part in version[5:].split(".", 1))
        except ValueError:
            self.send_error(400, f"Bad request version {version!r}")
            return False
        self.command, self.path, self.request_version = command, path, version
        headers = Headers()
        for _attempt in range(MAX_HEADERS + 1):
            raw = self.rfile.readline(MAX_LINE + 1)
            if len(raw) > MAX_LINE:
                self.send_error(431, "Header line too long")
                return False
            if raw in (b"\r\n", b"\n", b""):
                break
            name, separator, value = raw.decode("iso-8859-1").partition(":")
            if separator:
                key = name.strip().lower()
                headers[key] = f"{dict.get(headers, key)}, {value.strip()}" if key in headers else value.strip()
        else:
            self.send_error(431, "Too many headers")
            return False
        self.headers = headers
        connection = (headers.get("Connection") or "").lower()
        self.close_connection = connection == "close" or ((major, minor) < (1, 1) and connection != "keep-alive")
        if (headers.get("Expect") or "").lower() == "100-continue" and (major, minor) >= (1, 1):
            self.send_response_only(100)
            self.end_headers()
        return True

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, payload: object, headers: dict, request_id: str) -> None:
        """Write the whole response (status line, headers, JSON body) in one write."""
        if isinstance(payload, TextBody):  # an echo or applied fault's text answer
            data, content_type = payload.encode(), payload.content_type
        else:
            data = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
            content_type = "application/json;charset=utf-8"
        lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('Error',))[0]}", f"Server: {SERVER_NAME}", f"Date: {http_date()}"]
        if data:
            lines.append("Content-Type: " + content_type)
        lines.append(f"Content-Length: {len(data)}")
        lines.append(f"x-request-id: {request_id}")
        for name, value in headers.items():
            lines.append(f"{name}: {value}")
            if name.lower() == "connection" and str(value).lower() == "close":
                self.close_connection = True
        if self.close_connection:
            lines.append("Connection: close")
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("iso-8859-1") + data)

    def _handle(self) -> None:
        emulator = self.server.emulator
        url = urlsplit(self.path)
        path, raw_query = url.path, url.query
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            return
        request_id = (self.headers.get("x-request-id") or "").strip() or str(uuid.uuid4())
        if path.startswith(CONTROL_PREFIX) or path == CONTROL_PREFIX.rstrip("/"):
            self._respond(lambda: emulator.control.handle(self.command, path, raw_query, body) + ({},), request_id)
            return
        # Throttling is decided on arrival, as a gateway does: before the latency (the service's time), and a
        # rejected request consumes no fault.
        arrived, throttled = emulator.admit(path)
        entry = emulator.log.start(self.command, path, raw_query, self.headers, _logged_body(path, raw_query, body), arrived)
        if throttled is not None:
            self._respond(lambda: (throttled.status, throttled.body(request_id), throttled.headers), request_id, entry)
            return
        if emulator.options.latency_ms:
            time.sleep(emulator.options.latency_ms / 1000)
        fault = emulator.faults.take(self.command, path)
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            return
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay_ms / 1000)
        if fault is not None and fault.kind == "status":
            if fault.has_body:
                outcome = (fault.status, fault.body, dict(fault.headers))
            else:
                error = errors.injected(fault.status, fault.headers)
                outcome = (error.status, error.body(request_id), error.headers)
            self._respond(lambda: outcome, request_id, entry)
            return
        if fault is not None and fault.kind == "applied":
            self._respond(lambda: self._applied(fault, path, raw_query, body, request_id), request_id, entry)
            return
        if fault is not None and fault.kind in ("redirect", "echo"):
            answer = fault.answer(self.headers, body)
            self._respond(lambda: answer, request_id, entry)
            return
        self._respond(lambda: emulator.serve_api(self.command, path, raw_query, body, self.headers), request_id, entry)

    def _applied(self, fault, path: str, raw_query: str, body: bytes, request_id: str) -> tuple[int, object, dict]:
        """Serve the request (its effect stays, success or error), then give the fault's answer instead."""
        try:
            self.server.emulator.serve_api(self.command, path, raw_query, body, self.headers)
        except errors.HttpError:
            pass  # the request failed on its own: the client still gets the fault's answer, as behind a gateway
        if fault.has_body:
            return fault.status, fault.body, dict(fault.headers)
        error = errors.injected(fault.status, fault.headers)
        return error.status, error.body(request_id), error.headers

    def _respond(self, produce, request_id: str, entry: dict | None = None) -> None:
        try:
            status, payload, headers = produce()
        except errors.HttpError as exc:
            status, payload, headers = exc.status, self.server.emulator.error_body(exc, request_id), exc.headers
        except Exception:  # pylint: disable=broad-exception-caught
            traceback.print_exc(file=sys.stderr)
            error = errors.internal_error()
            status, payload, headers = error.status, error.body(request_id), {}
        if entry is not None:
            self.server.emulator.log.finish(entry, status, headers)
        try:
            self._send(status, payload, headers, request_id)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer carrying the emulator state; request threads are daemons."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: Emulator, ssl_context: ssl.SSLContext | None = None) -> None:
        self.emulator = emulator
        self.ssl_context = ssl_context
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        """The base URL clients use."""
        host, port = self.server_address[:2]
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"

    def finish_request(self, request, client_address) -> None:
        """With TLS, do the handshake here, in the connection's own thread, so a slow client never blocks accept."""
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        try:
            connection = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client refused our certificate (or went away) during the handshake
        try:
            super().finish_request(connection, client_address)
        finally:
            connection.close()

    def handle_error(self, request, client_address) -> None:
        """Ignore clients that went away; report anything else."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def serve_in_thread(server: EmulatorHTTPServer) -> threading.Thread:
    """Run ``server.serve_forever`` in a daemon thread and return the thread."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="emulator-http", daemon=True)
    thread.start()
    return thread
