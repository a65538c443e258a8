"""JSON Patch as Flow Service applies it: ``add``, ``replace`` and ``remove`` with RFC 6902/6901 semantics.

``op`` is accepted in any letter case. An ``add`` or ``replace`` whose target is an existing object member
(``/params``, ``/auth/params``) replaces that member whole: nothing is merged, exactly as RFC 6902 says and as
the real API behaves. Every op needs a ``value``, ``remove`` too (its content is not looked at).
The caller applies the ops to a copy and only keeps the copy when every op succeeded.
"""
from __future__ import annotations

from . import errors

SUPPORTED_OPS = ("add", "replace", "remove")


def parse_ops(body: object) -> list[dict]:
    """Check the structure of a patch document and return its ops with ``op`` lower-cased.

    Structural problems are reported in the order the API reports them: empty body (1405),
    unsupported op (1434), missing or mistyped fields (1455).
    """
    if body is None or body == [] or body == {}:
        raise errors.empty_body()
    if not isinstance(body, list):
        raise errors.patch_invalid("the patch document must be a JSON array of operations")
    ops = []
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            raise errors.patch_invalid(f"operation {index} is not a JSON object")
        if "op" not in item:
            raise errors.patch_invalid('Missing field "op"')
        op = item["op"]
        if not isinstance(op, str):
            raise errors.patch_invalid(f'Field "op" of operation {index} must be a string')
        if op.lower() not in SUPPORTED_OPS:
            raise errors.unsupported_op(op)
        if "path" not in item:
            raise errors.patch_invalid('Missing field "path"')
        if not isinstance(item["path"], str):
            raise errors.patch_invalid(f'Field "path" of operation {index} must be a string')
        # Adobe's PatchInstruction schemas require value on every op, remove included; its examples send the
        # removed value (or a dummy one) with remove, and the emulator ignores what a remove's value is.
        if "value" not in item:
            raise errors.patch_invalid('Missing field "value"')
        normalised = {"op": op.lower(), "path": item["path"]}
        if "value" in item:
            normalised["value"] = item["value"]
        ops.append(normalised)
    return ops


def split_pointer(pointer: str) -> list[str]:
    """Split an RFC 6901 JSON Pointer into unescaped reference tokens."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise errors.patch_invalid(f'Invalid path "{pointer}": a JSON Pointer starts with "/"')
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def _array_index(token: str, size: int, allow_end: bool, pointer: str) -> int:
    if allow_end and token == "-":
        return size
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise errors.patch_invalid(f'Invalid array index "{token}" in path "{pointer}"')
    index = int(token)
    if index > size or (index == size and not allow_end):
        raise errors.patch_invalid(f'Array index {index} is out of range in path "{pointer}"')
    return index


def _parent(doc: object, tokens: list[str], pointer: str) -> object:
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict):
            if token not in node:
                raise errors.patch_invalid(f'Missing field "{token}" in path "{pointer}"')
            node = node[token]
        elif isinstance(node, list):
            node = node[_array_index(token, len(node), False, pointer)]
        else:
            raise errors.patch_invalid(f'Missing field "{token}" in path "{pointer}"')
    return node


def apply_op(doc: dict, op: dict) -> None:
    """Apply one normalised op to ``doc`` in place."""
    pointer = op["path"]
    tokens = split_pointer(pointer)
    if not tokens:
        raise errors.patch_invalid("the whole document cannot be patched; name a field")
    parent = _parent(doc, tokens, pointer)
    last = tokens[-1]
    kind = op["op"]
    if isinstance(parent, dict):
        if kind == "add":
            parent[last] = op["value"]
        elif last not in parent:
            raise errors.patch_invalid(f'Missing field "{last}" in path "{pointer}"')
        elif kind == "replace":
            parent[last] = op["value"]
        else:
            del parent[last]
    elif isinstance(parent, list):
        index = _array_index(last, len(parent), kind == "add", pointer)
        if kind == "add":
            parent.insert(index, op["value"])
        elif kind == "replace":
            parent[index] = op["value"]
        else:
            del parent[index]
    else:
        raise errors.patch_invalid(f'Missing field "{last}" in path "{pointer}"')


def apply_ops(doc: dict, ops: list[dict]) -> None:
    """Apply normalised ops in order to ``doc`` in place (callers pass a copy)."""
    for op in ops:
        apply_op(doc, op)
