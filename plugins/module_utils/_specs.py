# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Connection specs: each read at most once per run and, with ``token_cache``, kept for the next tasks.

A spec says which params a connection takes and which are secret. It changes rarely, and a connection names the
version it follows, so with ``token_cache`` on a spec is also kept in the private cache folder (_cachefile.py),
by platform, org, id and version, for a day: a play of a thousand tasks reads it once. A kept spec only ever
serves a task that changes nothing; before anything is written (or predicted in check mode), the kinds read it
again (``fresh=True``, _kinds.py), so that a stale copy can never let a secret field through unmasked or let
params through that the current spec refuses.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time

from ansible_collections.aep.flow_service.plugins.module_utils._cachefile import (
    cache_dir,
    prepare_folder,
    read_private_json,
    write_private_json,
)
from ansible_collections.aep.flow_service.plugins.module_utils._errors import ConvergeError, NotFound

KEEP_SECONDS = 86400.0  # how long a kept spec serves: a day


def spec_ref(connection):
    """(id, version) of the connection spec a connection (or a flow's target connection entry) names."""
    ref = (connection or {}).get("connectionSpec") or {}
    return ref.get("id"), ref.get("version")


class SpecReader:
    """Connection specs by id for one run; the threads of a run share it, each passing its own ``client``.

    ``options`` (the connection options) turn the file cache on when ``token_cache`` is set and the cache folder
    is private; ``read`` counts the specs read from the API in this run.
    """

    def __init__(self, options=None, clock=time.time):
        self.cache = {}  # spec id -> spec read from the API in this run
        self.kept = {}  # spec id -> spec from the file cache, not read in this run
        self.lock = threading.Lock()
        self.clock = clock
        self.folder = None
        self.key = None
        if options and options.get("token_cache") and not prepare_folder(cache_dir()):
            self.folder = cache_dir()
            self.key = "\0".join(str(options.get(name) or "") for name in ("platform_url", "org_id"))

    def get(self, spec_id, client, version=None, fresh=False):
        """The spec ``spec_id``; NotFound when the API has none. ``fresh``: never a kept copy."""
        with self.lock:
            if spec_id in self.cache:
                return self.cache[spec_id]
            if not fresh:
                kept = self.kept.get(spec_id) or self._from_file(spec_id, version)
                if kept is not None:
                    self.kept[spec_id] = kept
                    return kept
            spec = client.get_item("connectionSpecs", spec_id)
            if spec is None:
                raise NotFound("connection spec %s was not found" % spec_id)
            self.cache[spec_id] = spec
            self.kept.pop(spec_id, None)
            self._to_file(spec_id, version, spec)
            return spec

    def for_connection(self, connection, client, fresh=False):
        """The spec a connection follows."""
        spec_id, version = spec_ref(connection)
        if not spec_id:
            raise ConvergeError("connection %s has no connectionSpec id" % (connection or {}).get("id"))
        return self.get(spec_id, client, version, fresh)

    def is_fresh(self, spec_id):
        """Whether ``spec_id`` was read from the API in this run (not taken from the file cache)."""
        with self.lock:
            return spec_id in self.cache

    def _path(self, spec_id, version):
        digest = hashlib.sha256("\0".join((self.key, str(spec_id), str(version))).encode("utf-8")).hexdigest()
        return os.path.join(self.folder, "spec-%s.json" % digest[:40])

    def _from_file(self, spec_id, version):
        if not self.folder or not version:
            return None
        data = read_private_json(self._path(spec_id, version))
        if not isinstance(data, dict) or not isinstance(data.get("spec"), dict):
            return None
        try:
            fresh_enough = self.clock() - float(data.get("saved_at")) < KEEP_SECONDS
        except (TypeError, ValueError):
            return None
        spec = data["spec"]
        return spec if fresh_enough and spec.get("id") == spec_id else None

    def _to_file(self, spec_id, version, spec):
        if not self.folder or not version or prepare_folder(self.folder):
            return
        try:
            write_private_json(self._path(spec_id, version), {"saved_at": self.clock(), "spec": spec})
        except OSError:
            pass  # a cache that cannot be written costs a read next time, nothing more
