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
that share a TokenCache (aep_destination_connections).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import threading
import time

from ansible_collections.aep.flow_service.plugins.module_utils._errors import ApiError
from ansible_collections.aep.flow_service.plugins.module_utils._options import HEADER_SAFE

try:
    import fcntl
except ImportError:  # pragma: no cover - Ansible controllers are POSIX
    fcntl = None

IMS_TOKEN_PATH = "/ims/token/v3"
TOKEN_NOT_A_HEADER = ("%s cannot be sent as an HTTP header (it holds a line break, a space or a character outside "
                      "printable ASCII), so it was not used; if it came from the token cache, delete the cache "
                      "folder (aep.flow_service under XDG_CACHE_HOME or ~/.cache) and run again")
EXPIRY_MARGIN = 300.0  # seconds: a token this close to its end is not reused


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "aep.flow_service")


def private_folder_problem(directory):
    """Why ``directory`` is no place for a token (None when it is this user's own, closed to group and others)."""
    try:
        info = os.lstat(directory)
    except OSError as exc:
        return "cannot read it (%s)" % exc.strerror
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder (a symlink or a file)"
    if info.st_uid != os.geteuid():
        return "it belongs to another user (uid %d)" % info.st_uid
    if info.st_mode & 0o077:
        return "group or others may use it (mode %o); chmod 700 it" % stat.S_IMODE(info.st_mode)
    return None


class TokenCache:
    """Hands out a bearer token; mints (through ``mint``) only when there is no usable one."""

    def __init__(self, options, mint, redactor, warn=None):
        """``redactor`` (a _redact.Redactor) learns every token handed out, so that no echo of one is shown;
        ``warn`` (a callable) is told when the cache folder cannot be trusted."""
        self.static = options.get("access_token")
        self.mint = mint
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
        directory = os.path.dirname(self.path)
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
        except OSError as exc:
            return "cannot create it (%s)" % exc.strerror
        return private_folder_problem(directory)

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
        token, expires_in = self.mint()
        return token, time.time() + expires_in

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
        """The cached (token, expires_at), or None; never from a symlink or a file another user could have written."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:  # absent, or a symlink (ELOOP)
            return None
        with os.fdopen(fd, "r", encoding="utf-8") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
                return None
            try:
                data = json.load(handle)
                return str(data["access_token"]), float(data["expires_at"])
            except (OSError, ValueError, KeyError, TypeError):
                return None

    def _write(self, token, expires_at):
        # mkstemp: a fresh name opened O_EXCL|O_NOFOLLOW with mode 0600, so no planted symlink is written through
        fd, temp = tempfile.mkstemp(prefix=".token-", suffix=".tmp", dir=os.path.dirname(self.path))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"access_token": token, "expires_at": expires_at}, handle)
            os.replace(temp, self.path)  # replaces a symlink at the name itself, never its target
        except OSError:
            try:
                os.unlink(temp)
            except OSError:
                pass
            raise


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
        response = send("POST", url, data=form, authorize=False)
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
