"""Start and drive the Flow Service emulator from tests (standard library only).

    from harness import start_emulator          # tests/conftest.py puts tests/emulator on sys.path

    emu = start_emulator("--generate", "10")
    try:
        ...                                      # talk to emu.api_url, inspect emu.requests(), emu.resource(...)
    finally:
        emu.stop()

This module is a library; it has no command line (use run.py to start an emulator by hand).
"""
from __future__ import annotations

import json
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from pathlib import Path

RUN_PY = Path(__file__).resolve().parent / "run.py"
API_BASE = "/data/foundation/flowservice"

DEMO_CLIENT_ID = "aep-demo-client"
DEMO_CLIENT_SECRET = "aep-demo-secret"
DEMO_ORG = "0123456789ABCDEF01234567@AdobeOrg"
DEMO_TOKEN = "aep-demo-token"
DEMO_SCOPE = "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session"
TUTORIAL_FLOW_ID = "226fb2e1-db69-4760-b67e-9e671e05abfc"
TUTORIAL_TARGET_CONNECTION_ID = "8ce3dc63-3766-4220-9f61-51d2f8f14618"
TUTORIAL_BASE_CONNECTION_ID = "7fbf542b-83ed-498f-8838-8fde0c4d4d69"
S3_CONNECTION_SPEC_ID = "4fce964d-3f37-408f-9778-e597338a21ee"


class EmulatorError(RuntimeError):
    """A control-API call failed or the emulator did not start."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class ResourceNotFound(EmulatorError, LookupError):
    """The control API has no such resource (HTTP 404)."""


def demo_headers(sandbox: str | None = "prod", token: str = DEMO_TOKEN) -> dict[str, str]:
    """Headers of an authenticated Flow Service request with the demo credentials."""
    headers = {"Authorization": f"Bearer {token}", "x-api-key": DEMO_CLIENT_ID, "x-gw-ims-org-id": DEMO_ORG}
    if sandbox is not None:
        headers["x-sandbox-name"] = sandbox
    return headers


class Emulator:
    """A running emulator process and its control API."""

    def __init__(self, process: subprocess.Popen, url: str, stderr_tail: deque, readers: tuple[threading.Thread, ...] = (),
                 ca_file: str | None = None) -> None:
        self.process = process
        self.url = url
        self.ca_file = ca_file  # with --tls/--tls-cert: the certificate clients must trust (a module's ca_path)
        self._ssl_context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        self.api_url = url + API_BASE
        self._stderr_tail = stderr_tail
        self._readers = readers

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _call(self, method: str, path: str, body: object = None, query: dict | None = None) -> object:
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10, context=self._ssl_context) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            error = ResourceNotFound if exc.code == 404 else EmulatorError
            raise error(f"{method} {path} -> {exc.code}: {detail}", exc.code) from exc
        return json.loads(payload) if payload else None

    def stderr_tail(self) -> str:
        """The last lines the emulator wrote to stderr (tracebacks of internal errors)."""
        return "".join(self._stderr_tail)

    def requests(self, method: str | None = None, path_contains: str | None = None) -> list[dict]:
        """Logged API and IMS requests, oldest first, optionally filtered by method and a path substring."""
        entries = self._call("GET", "/_emulator/requests")["requests"]
        return [entry for entry in entries
                if (method is None or entry["method"] == method.upper()) and (path_contains is None or path_contains in entry["path"])]

    def clear_requests(self) -> None:
        """Empty the request log."""
        self._call("DELETE", "/_emulator/requests")

    def reset(self) -> None:
        """Back to the loaded data; clears the log and the faults; minted tokens stay valid."""
        self._call("POST", "/_emulator/reset")

    def resource(self, collection: str, rid: str, sandbox: str = "prod") -> dict:
        """The stored object, unwrapped, secrets in clear; raises ResourceNotFound when absent."""
        return self._call("GET", f"/_emulator/resources/{collection}/{rid}", query={"sandbox": sandbox})

    def edit(self, collection: str, rid: str, ops: list[dict], sandbox: str = "prod") -> dict:
        """Out-of-band JSON Patch (as if changed in the UI); renews the etag. Returns {"id", "etag"}."""
        return self._call("PATCH", f"/_emulator/resources/{collection}/{rid}", body=ops, query={"sandbox": sandbox})

    def add_fault(self, **spec: object) -> dict:
        """Inject a fault; see README.md for the spec. Returns the fault with its "id"."""
        return self._call("POST", "/_emulator/faults", body=spec)

    def faults(self) -> list[dict]:
        """The remaining faults."""
        return self._call("GET", "/_emulator/faults")["faults"]

    def clear_faults(self) -> None:
        """Remove every fault."""
        self._call("DELETE", "/_emulator/faults")

    def expire_tokens(self) -> None:
        """Expire every token minted so far (the static demo token stays valid)."""
        self._call("POST", "/_emulator/expire-tokens")

    def settings(self, **changes: object) -> dict:
        """Change behaviour switches (error_shape, sandbox_error, settle_ms; see README.md) and return all of them.

        With no argument, only reads them. ``reset()`` puts them back to the command-line values.
        """
        if not changes:
            return self._call("GET", "/_emulator/settings")
        return self._call("PATCH", "/_emulator/settings", body=changes)

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 5 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        for reader in self._readers:
            reader.join(timeout=2)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def _drain(stream, sink: deque, found: threading.Event | None = None, holder: list | None = None) -> None:
    for line in iter(stream.readline, ""):
        sink.append(line)
        if found is not None and holder is not None and not found.is_set() and line.startswith("listening on "):
            holder.append(line[len("listening on "):].strip())
            found.set()


def start_emulator(*args: str, timeout: float = 15) -> Emulator:
    """Start ``run.py --host 127.0.0.1 --port 0 *args`` and wait until it listens."""
    command = [sys.executable, str(RUN_PY), "--host", "127.0.0.1", "--port", "0", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)  # pylint: disable=consider-using-with
    stdout_lines: deque = deque(maxlen=50)
    stderr_lines: deque = deque(maxlen=200)
    found = threading.Event()
    holder: list[str] = []
    readers = (threading.Thread(target=_drain, args=(process.stdout, stdout_lines, found, holder), daemon=True),
               threading.Thread(target=_drain, args=(process.stderr, stderr_lines), daemon=True))
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + timeout
    while not found.wait(0.05):
        if process.poll() is not None or time.monotonic() > deadline:
            if process.poll() is None:
                process.kill()
            process.wait()
            for reader in readers:
                reader.join(timeout=2)
            process.stdout.close()
            process.stderr.close()
            raise EmulatorError(f"emulator did not start (exit code {process.returncode}): {''.join(stderr_lines)}")
    # run.py prints "tls certificate: FILE" just before the listening line when it serves HTTPS.
    ca_file = next((line.split(":", 1)[1].strip() for line in list(stdout_lines) if line.startswith("tls certificate: ")), None)
    return Emulator(process, holder[0], stderr_lines, readers, ca_file)
