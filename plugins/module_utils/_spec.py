# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Connection specs: which auth fields are secret, and checking user params against the spec's JSON Schema.

The check is a deliberate subset of JSON Schema (type, enum, pattern, lengths, bounds, nested properties):
enough to catch a typo or a wrong type before any write, small enough to need no extra library on the
controller. Values are coerced the way Ansible coerces module options (``1234`` to ``"1234"`` for a string,
``"yes"`` to ``true`` for a boolean), so that YAML and Jinja2 results do what the user meant.
"""

from __future__ import annotations

import re

from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

MASK = "********"


def auth_spec(spec_item, spec_name=None):
    """The authSpec entry named ``spec_name`` (the connection's auth.specName), or the only/first one."""
    specs = [s for s in (spec_item or {}).get("authSpec") or [] if isinstance(s, dict)]
    for entry in specs:
        if spec_name and entry.get("name") == spec_name:
            return entry
    return specs[0] if specs else None


def auth_schema(spec_item, spec_name=None):
    entry = auth_spec(spec_item, spec_name)
    return (entry or {}).get("spec") or {}


def target_schema(spec_item):
    target = (spec_item or {}).get("targetSpec") or {}
    return target.get("spec") or {}


def secret_fields(schema):
    """Names of the properties the schema marks ``format: password`` (write-only secrets)."""
    props = (schema or {}).get("properties") or {}
    return sorted(k for k, v in props.items() if isinstance(v, dict) and v.get("format") == "password")


def mask_secrets(params, secrets):
    """A copy of ``params`` with every secret value replaced by the mask."""
    return {k: (MASK if k in secrets else v) for k, v in (params or {}).items()}


# The patterns of the published connection specs that a person should not have to decode, in words; the
# message still quotes the pattern after them. Keyed by the exact pattern, so a changed spec falls back to it.
KNOWN_PATTERNS = {
    r"(?=^.{3,63}$)(?!^(\d+\.)+\d+$)(^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])$)":
        "an Amazon S3 bucket name (3 to 63 characters: lower-case letters, digits, dots and hyphens, each "
        "dot-separated part starting and ending with a letter or digit; not an IP address)",
    r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$":
        "an Azure Blob container name (3 to 63 characters: lower-case letters, digits and hyphens, starting and "
        "ending with a letter or digit, no two hyphens in a row)",
    r"^[A-Z2-7]{20}$": "an AWS access key id (20 characters: upper-case letters and the digits 2 to 7)",
    r"^[A-Za-z0-9/+]{40}$": "an AWS secret access key (40 characters: letters, digits, / and +)",
}

_TYPES = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "object": (dict,),
    "array": (list,),
}


def _coerce(value, wanted):
    """Ansible-style coercion of a scalar towards the schema's type; returns the value unchanged if it cannot."""
    if wanted == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if wanted == "boolean" and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in BOOLEANS_TRUE:
            return True
        if lowered in BOOLEANS_FALSE:
            return False
    if wanted in ("integer", "number") and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
        if wanted == "number":
            try:
                return float(value)
            except ValueError:
                pass
    if wanted == "number" and isinstance(value, float) and value.is_integer():
        return value
    return value


def _type_ok(value, wanted):
    if wanted is None:
        return True
    if value is None:
        return wanted == "null" or (isinstance(wanted, list) and "null" in wanted)
    names = wanted if isinstance(wanted, list) else [wanted]
    for name in names:
        types = _TYPES.get(name)
        if types and isinstance(value, types) and not (isinstance(value, bool) and name in ("integer", "number")):
            return True
    return False


def check_value(value, schema, where, errors):
    """Validate (and coerce) one value against a property schema; append messages to ``errors``."""
    if not isinstance(schema, dict):
        return value
    wanted = schema.get("type")
    if isinstance(wanted, str):
        value = _coerce(value, wanted)
    if not _type_ok(value, wanted):
        errors.append("%s must be of type %s, got %s" % (where, wanted, _json_type(value)))
        return value
    if "enum" in schema and isinstance(schema["enum"], list) and value not in schema["enum"]:
        errors.append("%s must be one of %s, got %r" % (where, ", ".join(repr(v) for v in schema["enum"]), value))
    if isinstance(value, str):
        if isinstance(schema.get("pattern"), str) and not re.search(schema["pattern"], value):
            words = KNOWN_PATTERNS.get(schema["pattern"])
            if words:
                errors.append("%s does not match the pattern of %s: %s" % (where, words, schema["pattern"]))
            else:
                errors.append("%s does not match the pattern %s" % (where, schema["pattern"]))
        if isinstance(schema.get("minLength"), int) and len(value) < schema["minLength"]:
            errors.append("%s is shorter than %d characters" % (where, schema["minLength"]))
        if isinstance(schema.get("maxLength"), int) and len(value) > schema["maxLength"]:
            errors.append("%s is longer than %d characters" % (where, schema["maxLength"]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(schema.get("minimum"), (int, float)) and value < schema["minimum"]:
            errors.append("%s must be at least %s" % (where, schema["minimum"]))
        if isinstance(schema.get("maximum"), (int, float)) and value > schema["maximum"]:
            errors.append("%s must be at most %s" % (where, schema["maximum"]))
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        value = check_object(value, schema, where, errors)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        value = [check_value(item, schema["items"], "%s[%d]" % (where, i), errors) for i, item in enumerate(value)]
    return value


def check_object(values, schema, where, errors):
    """Validate a dict of params against an object schema: unknown keys fail, naming the valid ones."""
    props = schema.get("properties")
    if not isinstance(props, dict):
        return dict(values)
    allow_extra = schema.get("additionalProperties") is True or isinstance(schema.get("additionalProperties"), dict)
    result = {}
    for key, value in values.items():
        name = "%s.%s" % (where, key) if where else key
        if key in props:
            result[key] = check_value(value, props[key], name, errors)
        elif allow_extra:
            result[key] = value
        else:
            errors.append("%s is not a parameter of this connection spec; valid keys are: %s"
                          % (name, ", ".join(sorted(props)) or "(none)"))
            result[key] = value
    return result


def _json_type(value):
    for name, types in (("null", (type(None),)), ("boolean", (bool,)), ("integer", (int,)), ("number", (float,)),
                        ("string", (str,)), ("object", (dict,)), ("array", (list,))):
        if isinstance(value, types):
            return name
    return type(value).__name__
