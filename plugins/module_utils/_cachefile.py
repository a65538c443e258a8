# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""The private cache folder (tokens, connection specs) and its files, safe in a folder others might reach.

XDG_CACHE_HOME may point at a shared folder, where another user could plant a symlink to read what we write or a
file to feed us theirs. So the folder is used only when it belongs to this user and nobody else may enter it, no
file is read that is a symlink or not this user's own private file, and files are written under a fresh name
and renamed into place.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile


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


def prepare_folder(directory):
    """Create ``directory`` (mode 0700) if needed; why it cannot be used, or None."""
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError as exc:
        return "cannot create it (%s)" % exc.strerror
    return private_folder_problem(directory)


def read_private_json(path):
    """The JSON in ``path``, or None; never from a symlink or a file another user could have written."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:  # absent, or a symlink (ELOOP)
        return None
    with os.fdopen(fd, "r", encoding="utf-8") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
            return None
        try:
            return json.load(handle)
        except (OSError, ValueError):
            return None


def write_private_json(path, data):
    """Write ``data`` to ``path`` (mode 0600) through a fresh temporary name."""
    # mkstemp: a fresh name opened O_EXCL|O_NOFOLLOW with mode 0600, so no planted symlink is written through
    fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(temp, path)  # replaces a symlink at the name itself, never its target
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
