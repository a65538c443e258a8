"""The test-only control API under ``/_emulator/`` (no authentication, never logged, no latency or faults).

======================================================  ==========================================================
``GET /_emulator/health``                               ``{"ok": true}``
``GET /_emulator/requests``                             ``{"requests": [entry, ...]}``; ``DELETE`` clears (204)
``POST /_emulator/reset``                               back to the loaded data, log and faults cleared (204)
``GET /_emulator/resources/{collection}/{id}?sandbox=``  the stored object, unwrapped, secrets in clear
``PATCH /_emulator/resources/{collection}/{id}?sandbox=``  out-of-band JSON Patch -> ``{"id", "etag"}``
``POST /_emulator/faults``                              add a fault -> 201 ``{"id", ...}``; ``GET`` lists, ``DELETE`` clears
``POST /_emulator/expire-tokens``                       expire every minted token (204)
``GET /_emulator/settings``                             the behaviour switches; ``PATCH`` changes some -> all of them
======================================================  ==========================================================
"""
from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from . import errors, patch
from .api import first_token
from .store import FLOW_SPECS, SPECS

if TYPE_CHECKING:  # pragma: no cover
    from .server import Emulator

COLLECTIONS = ("flows", "targetConnections", "connections", SPECS, "sourceConnections", FLOW_SPECS, "runs")


def _not_allowed(method: str, path: str) -> errors.ControlError:
    return errors.ControlError(405, f"{method} is not supported on {path}")


class Control:
    """Handlers of the control API."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def handle(self, method: str, path: str, raw_query: str, body: bytes) -> tuple[int, object]:
        """Serve one control request; raises HttpError subclasses for errors."""
        parts = [part for part in path.split("/") if part][1:]
        name = parts[0] if parts else ""
        simple = {
            ("GET", "health"): lambda: (200, {"ok": True}),
            ("GET", "requests"): lambda: (200, {"requests": self.emulator.log.entries()}),
            ("DELETE", "requests"): self._clear_log,
            ("POST", "reset"): self._reset,
            ("GET", "faults"): lambda: (200, {"faults": self.emulator.faults.describe()}),
            ("POST", "faults"): lambda: self._add_fault(body),
            ("DELETE", "faults"): self._clear_faults,
            ("POST", "expire-tokens"): self._expire_tokens,
            ("GET", "settings"): lambda: (200, self.emulator.settings.describe()),
            ("PATCH", "settings"): lambda: self._change_settings(body),
        }
        if len(parts) == 1 and (method, name) in simple:
            return simple[(method, name)]()
        if len(parts) == 1 and name in {key[1] for key in simple}:
            raise _not_allowed(method, path)
        if name == "resources" and len(parts) == 3:
            sandbox = dict(parse_qsl(raw_query)).get("sandbox") or "prod"
            if method == "GET":
                return 200, self._resource(parts[1], parts[2], sandbox)
            if method == "PATCH":
                return 200, self._edit(parts[1], parts[2], sandbox, body)
            raise _not_allowed(method, path)
        raise errors.ControlError(404, f"no control route {path}")

    def _clear_log(self) -> tuple[int, None]:
        self.emulator.log.clear()
        return 204, None

    def _reset(self) -> tuple[int, None]:
        self.emulator.service.forget_pending()
        self.emulator.store.reset()
        self.emulator.log.clear()
        self.emulator.faults.clear()
        self.emulator.settings.reset()
        self.emulator.throttle.refill()
        return 204, None

    def _change_settings(self, body: bytes) -> tuple[int, dict]:
        try:
            changes = json.loads(body or b"null")
            settings = self.emulator.settings.change(changes)
        except ValueError as exc:
            raise errors.ControlError(400, f"bad settings: {exc}") from exc
        if any(name.startswith("throttle_") for name in changes):
            self.emulator.throttle.refill()  # a test that sets the rate starts from a full bucket
        return 200, settings

    def _clear_faults(self) -> tuple[int, None]:
        self.emulator.faults.clear()
        return 204, None

    def _expire_tokens(self) -> tuple[int, None]:
        self.emulator.tokens.expire_all()
        return 204, None

    def _add_fault(self, body: bytes) -> tuple[int, dict]:
        try:
            spec = json.loads(body or b"null")
            fault = self.emulator.faults.add(spec)
        except ValueError as exc:
            raise errors.ControlError(400, f"bad fault spec: {exc}") from exc
        return 201, fault.describe()

    def _check(self, collection: str, sandbox: str) -> None:
        if collection not in COLLECTIONS:
            raise errors.ControlError(404, f"unknown collection {collection}; use one of {', '.join(COLLECTIONS)}")
        if sandbox not in self.emulator.store.sandboxes:
            raise errors.ControlError(404, f"unknown sandbox {sandbox}")

    def _resource(self, collection: str, rid: str, sandbox: str) -> dict:
        self._check(collection, sandbox)
        self.emulator.service.settle()
        item = self.emulator.store.get(collection, sandbox, rid)
        if item is None:
            raise errors.ControlError(404, f"no {collection} resource {rid} in sandbox {sandbox}")
        return copy.deepcopy(item)

    def _edit(self, collection: str, rid: str, sandbox: str, body: bytes) -> dict:
        self._check(collection, sandbox)
        try:
            document = json.loads(body) if body else None
        except ValueError as exc:
            raise errors.bad_json(str(exc)) from exc
        ops = patch.parse_ops(document)
        if any(first_token(op["path"]) == "id" for op in ops):
            raise errors.patch_invalid('the field "id" cannot be updated')
        service = self.emulator.service
        if self.emulator.store.get(collection, sandbox, rid) is None:
            raise errors.ControlError(404, f"no {collection} resource {rid} in sandbox {sandbox}")
        updated = self.emulator.store.update(collection, sandbox, rid,
                                             lambda doc: service.apply(collection, sandbox, doc, ops),
                                             check_version=False, actor=("ui-user@AdobeID", "exc_app"))
        return {"id": rid, "etag": updated.get("etag")}
