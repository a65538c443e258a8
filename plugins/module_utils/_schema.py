# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Connection specs: which auth fields are secret, and checking user params against the spec's JSON Schema.

Our own checker, not the ``jsonschema`` library, for three reasons: Adobe's specs carry a keyword of their own
(``conditional``) that decides which ``required`` keys apply, so a plain validator refuses every documented
example; a typo check must know the connection's current params (open specs allow any key, and the API stores
keys such as ``mode`` that no spec declares); and messages must never quote a secret, which a library's
messages do. It covers what connection specs use: ``type``, ``enum``, ``const``, ``oneOf``/``anyOf``/``allOf``,
``pattern``, lengths, bounds, ``properties``, ``additionalProperties`` (false, or a schema), ``items``,
``required`` and ``conditional``; the unit tests compare it with ``jsonschema`` on Adobe's published specs.
Values are coerced the way Ansible coerces module options (``1234`` to ``"1234"`` for a string, ``"yes"`` to
``true`` for a boolean), so that YAML and Jinja2 results do what the user meant.
"""

from __future__ import annotations

import difflib
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


class Context:
    """What a check needs besides the schema: the current values, the keys allowed on purpose, the option's name.

    ``current`` is the object the params are merged into (a key it already holds is no typo); ``allowed`` holds
    dotted paths (``csvOptions.lineSep``) the user sends on purpose; ``known`` holds top-level keys the API
    stores although no spec declares them; ``option`` names the option that allows a key, for the message;
    ``document`` is the whole object after the change, which ``conditional`` reads.
    """

    def __init__(self, current=None, allowed=(), known=(), option=None, document=None):
        self.current = current if isinstance(current, dict) else {}
        self.allowed = frozenset(allowed or ())
        self.known = frozenset(known or ())
        self.option = option
        self.document = document


def check_value(value, schema, where, errors, context=None, current=None):
    """Validate (and coerce) one value against a property schema; append messages to ``errors``."""
    if not isinstance(schema, dict):
        return value
    context = context or Context()
    secret = schema.get("format") == "password"
    wanted = schema.get("type")
    if isinstance(wanted, str):
        value = _coerce(value, wanted)
    if not _type_ok(value, wanted):
        errors.append("%s must be of type %s, got %s" % (where, wanted, _json_type(value)))
        return value
    if "enum" in schema and isinstance(schema["enum"], list) and not any(_equal(value, v) for v in schema["enum"]):
        errors.append("%s must be one of %s%s" % (where, ", ".join(repr(v) for v in schema["enum"]), _got(value, secret)))
    if "const" in schema and not _equal(value, schema["const"]):
        errors.append("%s must be %r%s" % (where, schema["const"], _got(value, secret)))
    value = _check_combinations(value, schema, where, errors, context, current, secret)
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
    if isinstance(value, dict) and _is_object_schema(schema):
        value = check_object(value, schema, where, errors, context, current)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        value = [check_value(item, schema["items"], "%s[%d]" % (where, i), errors, context)
                 for i, item in enumerate(value)]
    return value


def _check_combinations(value, schema, where, errors, context, current, secret):
    """``allOf`` (every branch), ``anyOf`` (at least one), ``oneOf`` (exactly one); returns the coerced value."""
    for branch in schema.get("allOf") or []:
        value = check_value(value, branch, where, errors, context, current)
    for keyword in ("anyOf", "oneOf"):
        branches = [b for b in schema.get(keyword) or [] if isinstance(b, dict)]
        if not branches:
            continue
        fitting = []
        for branch in branches:
            trial = []
            coerced = check_value(value, branch, where, trial, context, current)
            if not trial:
                fitting.append(coerced)
        if keyword == "oneOf" and len(fitting) > 1:
            errors.append("%s fits %d of the oneOf alternatives, not exactly one" % (where, len(fitting)))
        elif fitting:
            value = fitting[0]
        elif all("const" in b for b in branches):
            errors.append("%s must be one of %s%s" % (where, ", ".join(_choice(b) for b in branches), _got(value, secret)))
        else:
            errors.append("%s fits none of the %s alternatives" % (where, keyword))
    return value


def check_object(values, schema, where, errors, context=None, current=None):
    """Validate a dict of params against an object schema.

    A key the schema does not declare is refused when the schema closes itself (``additionalProperties: false``),
    checked against ``additionalProperties`` when that is a schema, and otherwise (an open spec) refused only when
    it looks like a typo: not in the current values either, not known, not allowed on purpose.
    """
    context = context or Context()
    current = context.current if current is None and not where else current
    current = current if isinstance(current, dict) else {}
    props = schema.get("properties")
    if not isinstance(props, dict):
        return dict(values)
    extra = schema.get("additionalProperties")
    result = {}
    for key, value in values.items():
        name = "%s.%s" % (where, key) if where else key
        if key in props:
            result[key] = check_value(value, props[key], name, errors, context, current.get(key))
        elif isinstance(extra, dict):
            result[key] = check_value(value, extra, name, errors, context, current.get(key))
        elif extra is False:
            errors.append("%s is not a parameter of this connection spec, which allows no other keys%s; its "
                          "parameters are: %s" % (name, _did_you_mean(key, props), ", ".join(sorted(props)) or "(none)"))
            result[key] = value
        else:
            if not (extra is True or key in current or name in context.allowed or (not where and key in context.known)):
                hint = "; to send a key the spec does not declare, list %r in %s" % (name, context.option) \
                    if context.option else ""
                errors.append("%s is not a parameter of this connection spec nor of the connection%s; its parameters "
                              "are: %s%s" % (name, _did_you_mean(key, list(props) + list(current)),
                                             ", ".join(sorted(props)) or "(none)", hint))
            result[key] = value
    return result


def missing_required(before, after, schema, where="", whole=False, document=None):
    """Messages for the keys ``schema`` requires (and ``conditional`` applies) that ``after`` lacks.

    With ``whole`` (an object sent whole), every such key counts. Otherwise only keys that ``before`` had: the
    change must not remove what the spec requires, and a key the connection never had is not ours to demand.
    Nested objects are checked the same way.
    """
    problems = []
    if not isinstance(after, dict) or not isinstance(schema, dict):
        return problems
    before = before if isinstance(before, dict) else {}
    document = after if document is None else document
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for key in schema.get("required") or []:
        if key in after or not (whole or key in before):
            continue
        if applies(props.get(key), after, document) is not True:  # not applicable, or cannot be told: optional
            continue
        problems.append("%s%s" % ("%s." % where if where else "", key))
    for key, prop in props.items():
        if isinstance(after.get(key), dict) and isinstance(prop, dict):
            problems.extend(missing_required(before.get(key), after[key], prop, "%s.%s" % (where, key) if where else key,
                                             whole, document))
    return problems


def applies(prop, siblings, document=None):
    """Whether Adobe's ``conditional`` lets a property apply: True, False, or None when it cannot be told.

    ``{"field": "fileType", "operator": "EQUALS", "value": "CSV"}`` reads a sibling param; a dotted field such as
    ``flowSpec.attributes._workflow`` names something outside the params (the dataflow's flow spec), which a
    connection does not hold, so the answer is None and the property is treated as optional.
    """
    condition = (prop or {}).get("conditional") if isinstance(prop, dict) else None
    if not isinstance(condition, dict):
        return True
    field, operator, expected = condition.get("field"), str(condition.get("operator", "")).upper(), condition.get("value")
    if not isinstance(field, str) or "." in field or not isinstance(siblings, dict):
        return None
    if field not in siblings:
        return None
    actual = siblings[field]
    if operator == "EQUALS":
        return _equal(actual, expected)
    if operator == "NOT_EQUALS":
        return not _equal(actual, expected)
    if operator in ("CONTAINS", "NOT_CONTAINS"):
        found = expected in actual if isinstance(actual, (str, list)) else None
        return None if found is None else (found if operator == "CONTAINS" else not found)
    return None


def _is_object_schema(schema):
    return isinstance(schema.get("properties"), dict) or isinstance(schema.get("additionalProperties"), dict)


def _equal(a, b):
    """JSON equality: True is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


def _choice(branch):
    title = branch.get("title")
    return "%r (%s)" % (branch["const"], title) if title else repr(branch["const"])


def _got(value, secret):
    """The value as quoted in a message; never a secret's."""
    return "" if secret else ", got %r" % (value,)


def _did_you_mean(key, candidates):
    """`` (did you mean X?)`` for the closest candidate, case differences first."""
    names = sorted(set(str(c) for c in candidates))
    lowered = [c for c in names if c.lower() == str(key).lower()]
    close = lowered or difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
    return " (did you mean %s?)" % close[0] if close else ""


def _json_type(value):
    for name, types in (("null", (type(None),)), ("boolean", (bool,)), ("integer", (int,)), ("number", (float,)),
                        ("string", (str,)), ("object", (dict,)), ("array", (list,))):
        if isinstance(value, types):
            return name
    return type(value).__name__
