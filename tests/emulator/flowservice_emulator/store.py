"""The in-memory resource store: sandboxed collections, global connection specs, etags, atomic updates.

Stored objects are never changed in place: an update deep-copies the current object, lets the caller
change the copy, and swaps it in under the store lock. Readers may therefore hold a stored object
without copying it, as long as they do not modify it.
"""
from __future__ import annotations

import copy
import secrets
import threading
import time
from typing import Callable

from . import errors
from .data import Dataset

SPECS = "connectionSpecs"
FLOW_SPECS = "flowSpecs"
GLOBAL = (SPECS, FLOW_SPECS)  # Adobe's catalog: the same in every sandbox, read-only, no etag


def new_etag() -> str:
    """A fresh etag in the service's format (with its literal double quotes)."""
    return f'"{secrets.token_hex(4)}-0000-0200-0000-{secrets.token_hex(6)}"'


def now_ms() -> int:
    """The current time in epoch milliseconds, as the API's timestamps are."""
    return int(time.time() * 1000)


class Store:
    """Resources by sandbox, collection and id; connection specs by id (visible in every sandbox)."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._lock = threading.RLock()
        self._resources: dict[str, dict[str, dict[str, dict]]] = {}
        self._specs: dict[str, dict] = {}
        self._flow_specs: dict[str, dict] = {}
        self.reset()

    def reset(self) -> None:
        """Go back to the loaded data set."""
        with self._lock:
            self._resources = copy.deepcopy(self.dataset.resources)
            self._specs = copy.deepcopy(self.dataset.specs)
            self._flow_specs = copy.deepcopy(self.dataset.flow_specs)

    @property
    def sandboxes(self) -> set[str]:
        """Names of the sandboxes of the organization."""
        return set(self.dataset.sandboxes)

    def _table(self, collection: str, sandbox: str) -> dict[str, dict]:
        if collection == SPECS:
            return self._specs
        if collection == FLOW_SPECS:
            return self._flow_specs
        return self._resources[sandbox][collection]

    def get(self, collection: str, sandbox: str, rid: str) -> dict | None:
        """The stored object (read-only) or None."""
        with self._lock:
            return self._table(collection, sandbox).get(rid)

    def items(self, collection: str, sandbox: str) -> list[dict]:
        """Every stored object of a collection (read-only), in load order."""
        with self._lock:
            return list(self._table(collection, sandbox).values())

    def spec(self, spec_id: str | None) -> dict | None:
        """A connection spec by id."""
        with self._lock:
            return self._specs.get(spec_id or "")

    def update(self, collection: str, sandbox: str, rid: str, change: Callable[[dict], None],
               if_match: str | None = None, check_version: bool = True, actor: tuple[str, str] = ("", ""),
               renew: bool = True) -> dict:
        """Apply ``change`` to a copy of a resource and store the copy with a new etag.

        With ``check_version`` the ``if_match`` value must equal the current etag exactly (412 otherwise).
        ``change`` raises to abort; then nothing is stored. ``actor`` is (updatedBy, updatedClient).
        Connection specs carry no etag and are stored without one. ``renew=False`` keeps etag, ``updatedAt``
        and ``updatedBy`` (the service finishing a write it already acknowledged).
        """
        with self._lock:
            table = self._table(collection, sandbox)
            current = table.get(rid)
            if current is None:
                raise errors.not_found(collection, rid)
            if check_version and if_match != current.get("etag"):
                raise errors.version_mismatch(str(if_match), str(current.get("etag")))
            updated = copy.deepcopy(current)
            change(updated)
            if collection not in GLOBAL and renew:
                updated["etag"] = updated["version"] = new_etag()
                updated["updatedAt"] = now_ms()
                if actor[0]:
                    updated["updatedBy"], updated["updatedClient"] = actor
            table[rid] = updated
            return updated
