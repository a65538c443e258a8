"""Connection-spec rules: validate params against a spec's JSON Schema, find and mask secret fields.

The validator covers the JSON Schema keywords that connection specs use: ``type``, ``enum``, ``const``,
``oneOf``/``anyOf``/``allOf``, ``pattern``, ``properties``, ``additionalProperties``, ``items``,
``minLength``/``maxLength`` and ``minimum``/``maximum``. ``required`` is deliberately not enforced: the real
API lets a whole-object replace drop keys, and tests must be able to observe that loss. Adobe's own
``conditional`` keyword is ignored (it only decides which ``required`` keys apply, and ``required`` is not
enforced), so every documented example of the published specs is accepted.
"""
from __future__ import annotations

import re

MASK = "********"

# Auth params that the service adds itself; they are accepted without being declared by an authSpec.
SERVER_MANAGED_AUTH_KEYS = frozenset({"authorizedDate"})

_TYPES = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


class SchemaViolation(ValueError):
    """A value that does not fit the schema; ``key`` is the dotted path of the offending key."""

    def __init__(self, key: str, reason: str):
        super().__init__(f'Invalid field "{key}": {reason}')
        self.key = key


def json_type(value: object) -> str:
    """The JSON type name of a Python value."""
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _TYPES[name](value):
            return name
    return type(value).__name__


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def validate(value: object, schema: dict, key: str = "", allowed_extra: frozenset = frozenset()) -> None:
    """Raise SchemaViolation when ``value`` does not fit ``schema``; ``key`` names it in messages."""
    if not isinstance(schema, dict):
        return
    expected = schema.get("type")
    if expected is not None:
        names = expected if isinstance(expected, list) else [expected]
        if not any(_TYPES.get(name, lambda v: True)(value) for name in names):
            raise SchemaViolation(key, f"expected {' or '.join(names)}, got {json_type(value)}")
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(repr(item) for item in schema["enum"])
        raise SchemaViolation(key, f"value {value!r} is not one of {allowed}")
    if "const" in schema and value != schema["const"]:
        raise SchemaViolation(key, f"value {value!r} is not {schema['const']!r}")
    _check_combinations(value, schema, key)
    if isinstance(value, str):
        _check_string(value, schema, key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise SchemaViolation(key, f"value {value} is below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise SchemaViolation(key, f"value {value} is above the maximum {schema['maximum']}")
    if isinstance(value, dict):
        _check_object(value, schema, key, allowed_extra)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            validate(item, schema["items"], f"{key}[{index}]")


def _fits(value: object, schema: dict, key: str) -> bool:
    try:
        validate(value, schema, key)
    except SchemaViolation:
        return False
    return True


def _check_combinations(value: object, schema: dict, key: str) -> None:
    """``allOf`` (every branch), ``anyOf`` (one at least), ``oneOf`` (exactly one), as published csvOptions use it."""
    for branch in schema.get("allOf") or []:
        validate(value, branch, key)
    if schema.get("anyOf") and not any(_fits(value, branch, key) for branch in schema["anyOf"]):
        raise SchemaViolation(key, f"value {value!r} fits none of the anyOf alternatives")
    if schema.get("oneOf"):
        fitting = sum(_fits(value, branch, key) for branch in schema["oneOf"])
        if fitting != 1:
            allowed = ", ".join(repr(b["const"]) for b in schema["oneOf"] if isinstance(b, dict) and "const" in b)
            raise SchemaViolation(key, f"value {value!r} is not one of {allowed}" if allowed
                                  else f"value {value!r} fits {fitting} of the oneOf alternatives, not exactly one")


def _check_string(value: str, schema: dict, key: str) -> None:
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise SchemaViolation(key, f"value does not match the pattern {schema['pattern']}")
    if "minLength" in schema and len(value) < schema["minLength"]:
        raise SchemaViolation(key, f"value is shorter than {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise SchemaViolation(key, f"value is longer than {schema['maxLength']} characters")


def _check_object(value: dict, schema: dict, key: str, allowed_extra: frozenset) -> None:
    properties = schema.get("properties") or {}
    additional = schema.get("additionalProperties", True)
    for name, item in value.items():
        child = _join(key, name)
        if name in properties:
            validate(item, properties[name], child)
        elif name in allowed_extra:
            continue
        elif additional is False:
            raise SchemaViolation(child, "unknown field, not allowed by the connection spec")
        elif isinstance(additional, dict):
            validate(item, additional, child)


def find_auth_spec(connection_spec: dict | None, spec_name: str | None) -> dict | None:
    """The authSpec entry of ``connection_spec`` named ``spec_name``."""
    for entry in (connection_spec or {}).get("authSpec") or []:
        if entry.get("name") == spec_name:
            return entry
    return None


def secret_keys(connection_spec: dict | None, spec_name: str | None) -> set[str]:
    """Names of the auth params marked ``format: password`` (all authSpecs when the name is unknown)."""
    entries = (connection_spec or {}).get("authSpec") or []
    chosen = [entry for entry in entries if entry.get("name") == spec_name] or entries
    keys: set[str] = set()
    for entry in chosen:
        properties = ((entry.get("spec") or {}).get("properties")) or {}
        keys.update(name for name, prop in properties.items() if isinstance(prop, dict) and prop.get("format") == "password")
    return keys


def hide_secrets(connection: dict, connection_spec: dict | None, mode: str) -> dict:
    """Return ``connection`` (already a copy) with its secret auth params masked or omitted."""
    auth = connection.get("auth")
    if not isinstance(auth, dict) or not isinstance(auth.get("params"), dict):
        return connection
    params = auth["params"]
    for key in secret_keys(connection_spec, auth.get("specName")):
        if key in params:
            if mode == "omitted":
                del params[key]
            else:
                params[key] = MASK
    return connection
