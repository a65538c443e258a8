# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Access tokens: a static one, or IMS tokens minted on demand and, when asked, shared through a file cache.

Every module run is a new process, so a token held in memory lives for one task only. With ``token_cache``
on, the token is kept in a file readable only by the controller user, keyed by a hash of the credentials,
and reused by every task, fork and play until it is close to expiry. The cache folder is used only when it
belongs to this user and nobody else may enter it (else a warning, and tokens live in memory only), and no
file is trusted that is a symlink or is not this user's own private file: XDG_CACHE_HOME may point at a shared
folder, where another user could plant a symlink to read our token or a file to feed us theirs. A file lock serialises minting so that
parallel forks make one token request, not one each; a thread lock does the same for the threads of one run
that share a TokenCache (aep_destination_connections). The files are handled by _cachefile.py.
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
from ansible_collections.aep.flow_service.plugins.module_utils._errors import ApiError
from ansible_collections.aep.flow_service.plugins.module_utils._http import Http
from ansible_collections.aep.flow_service.plugins.module_utils._options import HEADER_SAFE, TOKEN_NOT_A_HEADER

try:
    import fcntl
except ImportError:  # pragma: no cover - Ansible controllers are POSIX
    fcntl = None

IMS_TOKEN_PATH = "/ims/token/v3"
EXPIRY_MARGIN = 300.0  # seconds: a token this close to its end is not reused


class TokenCache:
    """The token holder of one run: hands out a bearer token, and mints one at IMS (through a session of its own,
    with the run's TLS, proxy and retry rules) only when there is no usable one. The clients of every thread and
    sandbox of the run share it."""

    def __init__(self, options, redactor, warn=None, sleep=time.sleep):
        """``redactor`` (a _redact.Redactor) learns every token handed out, so that no echo of one is shown;
        ``warn`` (a callable) is told when the cache folder cannot be trusted."""
        self.static = options.get("access_token")
        self.options = options
        self.http = None if self.static else Http(options, redactor, sleep)
        self.redactor = redactor
        self.use_file = bool(options.get("token_cache")) and not self.static
        self.token = None
        self.expires_at = 0.0
        self.rejected = None
        self.lock = threading.Lock()
        if self.use_file:
            key = "\0".join((options["ims_url"], options["client_id"], options["client_secret"] or "", options["scopes"]))
            self.path = os.path.join(cache_dir(), "token-%s.json" % hashlib.sha256(key.encode("utf-8")).hexdigest()[:40])
            problem = self._prepare_folder()
            if problem:
                self.use_file = False
                if warn:
                    warn("token_cache is on, but the folder %s is not private: %s. Tokens are not cached (each "
                         "task mints its own) until it is." % (os.path.dirname(self.path), problem))

    def _prepare_folder(self):
        return prepare_folder(os.path.dirname(self.path))

    @property
    def can_remint(self):
        return not self.static

    def get(self):
        if self.static:
            return self.static
        with self.lock:
            if self.token and time.time() < self.expires_at - EXPIRY_MARGIN:
                return self.token
            if self.use_file:
                self.token, self.expires_at = self._from_file()
            else:
                self.token, self.expires_at = self._mint()
            self.redactor.add(self.token)
            return self.token

    def invalidate(self, token):
        """The server refused ``token`` (expired or revoked): never hand it out again.

        Threads that sent the same token each report it; only the first drops it, so a token another
        thread has minted since is kept.
        """
        with self.lock:
            self.rejected = token
            if self.token == token:
                self.token = None
                self.expires_at = 0.0

    def _mint(self):
        try:
            token, expires_in = mint_ims_token(self.options, self.http.send)
        finally:
            self.http.close()  # a token lasts hours: no connection to IMS is kept open for the next one
        return token, time.time() + expires_in

    def close(self):
        if self.http is not None:
            self.http.close()

    def _from_file(self):
        if self._prepare_folder():  # changed hands since the start: stop using it
            self.use_file = False
            return self._mint()
        lock_fd = os.open(self.path + ".lock", os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(lock_fd, fcntl.LOCK_EX)
            cached = self._read()
            if cached and cached[0] != self.rejected and time.time() < cached[1] - EXPIRY_MARGIN:
                return cached
            token, expires_at = self._mint()
            self._write(token, expires_at)
            return token, expires_at
        finally:
            os.close(lock_fd)  # closing releases the lock

    def _read(self):
        """The cached (token, expires_at), or None (see _cachefile for which files are trusted)."""
        data = read_private_json(self.path)
        try:
            return str(data["access_token"]), float(data["expires_at"])
        except (KeyError, TypeError, ValueError):
            return None

    def _write(self, token, expires_at):
        write_private_json(self.path, {"access_token": token, "expires_at": expires_at})


def mint_ims_token(options, send):
    """Exchange the client credentials at IMS through ``send`` (the client's, for its retries and TLS); return
    (access_token, expires_in seconds)."""
    url = options["ims_url"].rstrip("/") + IMS_TOKEN_PATH
    form = {
        "grant_type": "client_credentials",
        "client_id": options["client_id"],
        "client_secret": options["client_secret"],
        "scope": options["scopes"],
    }
    try:
        response = send("POST", url, data=form)
    except ApiError as exc:
        if exc.status == 404:
            exc.hint = (" Check ims_url (AEP_IMS_URL): it is the host only, such as https://ims-na1.adobelogin.com;"
                        " the collection adds %s itself." % IMS_TOKEN_PATH)
        raise
    try:
        body = response.json()
        token, expires_in = body["access_token"], float(body.get("expires_in", 0))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ApiError("the IMS token endpoint answered without an access_token", status=response.status_code,
                       method="POST", url=url)
    if not isinstance(token, str) or not HEADER_SAFE.match(token):
        raise ApiError(TOKEN_NOT_A_HEADER % "IMS answered with an access token that", status=response.status_code,
                       method="POST", url=url)
    return token, expires_in
