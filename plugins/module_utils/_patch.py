# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Desired-versus-current comparison and RFC 6902 JSON Patch: build the operations, and apply them to predict."""

from __future__ import annotations

import copy


def escape(key):
    """A key as one JSON Pointer reference token (RFC 6901): '~' -> '~0', '/' -> '~1'."""
    return str(key).replace("~", "~0").replace("/", "~1")


def unescape(token):
    return token.replace("~1", "/").replace("~0", "~")


def same(a, b):
    """Deep equality that keeps JSON types apart (True is not 1, 1 is not "1") and ignores dict order."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def build_patch(current, desired, base, purge=False):
    """Operations that turn the keys of ``current`` (a dict at pointer ``base``) into ``desired``.

    One operation per key that differs: ``add`` for a new key, ``replace`` for a changed one, and with
    ``purge`` a ``remove`` for each key that ``desired`` does not list. A nested object that is an object
    on both sides is merged the same way, key by key, with operations on its own keys (``/params/csvOptions/
    delimiter``), so ``{"csvOptions": {"delimiter": ";"}}`` keeps the other CSV options. Keys of ``current``
    that ``desired`` does not list are otherwise left alone, so a concurrent change to another key is never
    overwritten. ``remove`` carries the removed value because Adobe's schema requires ``value`` on every operation.
    """
    current = current or {}
    ops = []
    for key, value in desired.items():
        path = "%s/%s" % (base, escape(key))
        if key not in current:
            ops.append({"op": "add", "path": path, "value": copy.deepcopy(value)})
        elif isinstance(current[key], dict) and isinstance(value, dict):
            ops.extend(build_patch(current[key], value, path, purge=purge))
        elif not same(current[key], value):
            ops.append({"op": "replace", "path": path, "value": copy.deepcopy(value)})
    if purge:
        for key in current:
            if key not in desired:
                ops.append({"op": "remove", "path": "%s/%s" % (base, escape(key)), "value": copy.deepcopy(current[key])})
    return ops


def given(**fields):
    """The fields that are set: None means 'leave it' (a name or description the user did not give)."""
    return {key: value for key, value in fields.items() if value is not None}


class PatchError(ValueError):
    pass


def _split(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError("path %r does not start with '/'" % path)
    return [unescape(token) for token in path[1:].split("/")]


def _index(container, token, op):
    if token == "-" and op == "add":
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise PatchError("%r is not an array index" % token)
    index = int(token)
    limit = len(container) if op == "add" else len(container) - 1
    if index > limit:
        raise PatchError("array index %d is out of range" % index)
    return index


def apply_patch(document, operations):
    """Apply add/replace/remove operations (RFC 6902) to a deep copy of ``document`` and return it."""
    result = copy.deepcopy(document)
    for operation in operations:
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise PatchError("unsupported operation %r" % operation.get("op"))
        tokens = _split(operation.get("path", ""))
        value = copy.deepcopy(operation.get("value"))
        if not tokens:
            if op == "remove":
                raise PatchError("cannot remove the whole document")
            result = value
            continue
        parent = result
        for token in tokens[:-1]:
            if isinstance(parent, dict) and token in parent:
                parent = parent[token]
            elif isinstance(parent, list):
                parent = parent[_index(parent, token, "get")]
            else:
                raise PatchError("path %s does not exist" % operation.get("path"))
        last = tokens[-1]
        if isinstance(parent, dict):
            if op != "add" and last not in parent:
                raise PatchError("path %s does not exist" % operation.get("path"))
            if op == "remove":
                del parent[last]
            else:
                parent[last] = value
        elif isinstance(parent, list):
            index = _index(parent, last, op)
            if op == "add":
                parent.insert(index, value)
            elif op == "replace":
                parent[index] = value
            else:
                del parent[index]
        else:
            raise PatchError("path %s does not exist" % operation.get("path"))
    return result
