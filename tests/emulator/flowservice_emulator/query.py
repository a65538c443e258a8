"""List queries of the Flow Service: ``property`` filters, ``orderby``, ``limit``, ``count``, ``continuationToken``.

Filter syntax (``property=<path><operator><values>``):

* ``path`` is dotted into nested objects; an array segment must end in ``[]`` and then matches when any
  element matches (``sourceConnectionIds[]``, ``inheritedAttributes.targetConnections[].connectionSpec.id``);
* operators ``==`` and ``!=`` take comma-separated values (``==`` any of them, ``!=`` none of them);
  ``>``, ``<``, ``>=``, ``<=`` take one value and compare numbers numerically, other values as strings;
* repeated ``property`` parameters are ANDed.

``orderby`` takes comma-separated fields, each optionally prefixed by ``+`` (ascending, the default) or ``-``.
Pages are ``limit`` items long (default DEFAULT_LIMIT, at most MAX_LIMIT). ``_links.next.href`` is
``/{collection}?continuationToken=T`` and nothing else, as Adobe's PageLink example shows, so T carries the
whole query it continues (filters, order, limit and the next offset): following the href alone keeps the
filter. Clients that send the original parameters again beside the token (the other common way to page)
are served too: a parameter sent beside the token takes the place of the token's copy of it.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote

from . import errors

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
LIST_PARAMS = frozenset({"property", "orderby", "limit", "count", "continuationToken"})
CARRIED = ("property", "orderby", "limit")  # what a continuation token carries
SORTABLE = frozenset({"id", "name", "description", "state", "createdAt", "updatedAt", "createdBy", "updatedBy",
                      "createdClient", "updatedClient", "providerId", "baseConnectionId"})
_FILTER_RE = re.compile(r"^([A-Za-z0-9_$@\-.\[\]]+?)([=!<>~:]+)(.*)$", re.DOTALL)
_OPERATORS = ("==", "!=", ">=", "<=", ">", "<")
_MISSING = object()


@dataclass
class Filter:
    """One ``property`` expression."""

    path: list[str]
    operator: str
    values: list[str]


@dataclass
class ListQuery:
    """A parsed list request."""

    filters: list[Filter] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    count: bool = False
    offset: int = 0
    carried: list[tuple[str, str]] = field(default_factory=list)  # what the next page's token carries


def encode_token(offset: int, carried: list[tuple[str, str]]) -> str:
    """An opaque continuation token: the next offset and the query parameters it continues."""
    raw = json.dumps({"o": offset, "q": [list(pair) for pair in carried]}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> tuple[int, list[tuple[str, str]]]:
    """The offset and the carried query parameters inside a continuation token."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        document = json.loads(raw)
        offset, carried = document["o"], [(str(name), str(value)) for name, value in document.get("q", [])]
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise errors.invalid_query_value("continuationToken", token) from exc
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0 or any(name not in CARRIED for name, _value in carried):
        raise errors.invalid_query_value("continuationToken", token)
    return offset, carried


def _parse_filter(expression: str, known_fields: set[str]) -> Filter:
    match = _FILTER_RE.match(expression)
    if not match:
        raise errors.invalid_query_value("property", expression)
    path_text, operator, value_text = match.groups()
    if operator not in _OPERATORS:
        raise errors.invalid_operator(operator)
    if value_text == "":
        raise errors.invalid_query_value("property", expression)
    segments = path_text.split(".")
    if any(segment in ("", "[]") for segment in segments) or segments[0].removesuffix("[]") not in known_fields:
        raise errors.invalid_filter_field(path_text)
    values = value_text.split(",")
    if operator not in ("==", "!=") and len(values) > 1:
        raise errors.operator_multi_value(operator)
    return Filter(segments, operator, values)


def _parse_order(text: str) -> list[tuple[str, bool]]:
    order = []
    for part in text.split(","):
        # A literal '+' in a query string decodes to a space, so a leading space means ascending too.
        descending = part[:1] == "-"
        if part[:1] in ("+", " ", "-"):
            part = part[1:]
        part = part.strip()
        if part[:1] and not (part[:1].isalnum() or part[:1] == "_"):
            raise errors.bad_sort_order()
        if part not in SORTABLE:
            raise errors.bad_sort_field(part)
        order.append((part, descending))
    return order


def _effective_params(raw_query: str) -> tuple[list[tuple[str, str]], int]:
    """The query parameters a list request stands for, and its offset.

    Without a token that is the query as sent. With one, the token's carried parameters, except those the
    client sent again beside it (each name sent replaces every carried value of that name).
    """
    sent = parse_qsl(raw_query, keep_blank_values=True)
    for name, _value in sent:
        if name not in LIST_PARAMS:
            raise errors.invalid_query_param(name)
    tokens = [value for name, value in sent if name == "continuationToken"]
    if not tokens:
        return sent, 0
    offset, carried = decode_token(tokens[-1])
    given = {name for name, _value in sent}
    params = [pair for pair in carried if pair[0] not in given] + [pair for pair in sent if pair[0] != "continuationToken"]
    return params, offset


def parse(raw_query: str, known_fields: set[str]) -> ListQuery:
    """Parse the raw query string of a list request."""
    params, offset = _effective_params(raw_query)
    query = ListQuery(offset=offset)
    limit_given = False
    for name, value in params:
        if name == "property":
            query.filters.append(_parse_filter(value, known_fields))
        elif name == "orderby":
            query.order = _parse_order(value)
        elif name == "limit":
            if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
                raise errors.invalid_query_value("limit", value)
            query.limit = int(value)
            limit_given = True
        elif name == "count":
            if value.lower() not in ("true", "false"):
                raise errors.invalid_query_value("count", value)
            query.count = value.lower() == "true"
    if query.count and limit_given:
        raise errors.limit_and_count()
    query.carried = [pair for pair in params if pair[0] in CARRIED]
    return query


def _values_at(node: object, segments: list[str]) -> list[object]:
    """Every value reached by ``segments`` from ``node`` (arrays expand only on ``[]`` segments)."""
    nodes = [node]
    for segment in segments:
        expand = segment.endswith("[]")
        key = segment[:-2] if expand else segment
        following = []
        for current in nodes:
            child = current.get(key, _MISSING) if isinstance(current, dict) else _MISSING
            if child is _MISSING:
                continue
            if expand:
                if isinstance(child, list):
                    following.extend(child)
            else:
                following.append(child)
        nodes = following
    return nodes


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _compare(value: object, operator: str, wanted: str, field_name: str) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(wanted)
        except ValueError as exc:
            raise errors.invalid_filter_value(wanted, field_name) from exc
        left, right = float(value), number
    else:
        left, right = _text(value), wanted
    return {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[operator]


def matches(item: dict, flt: Filter) -> bool:
    """Whether ``item`` satisfies one filter."""
    found = [value for value in _values_at(item, flt.path) if not isinstance(value, (dict, list))]
    field_name = ".".join(flt.path)
    if flt.operator == "==":
        return any(_text(value) in flt.values for value in found)
    if flt.operator == "!=":
        return not any(_text(value) in flt.values for value in found)
    return any(_compare(value, flt.operator, flt.values[0], field_name) for value in found)


def _sort_key(item: dict, name: str) -> tuple:
    value = item.get(name)
    if value is None:
        return (0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, value)
    return (2, _text(value).lower())


def run(items: list[dict], query: ListQuery, collection: str, newest_first: bool = False) -> tuple[dict, list[dict]]:
    """Filter, sort and page ``items``; return the response skeleton and the page of items.

    The default order is ``createdAt`` then ``id``, ascending, or with ``newest_first`` the latest ``updatedAt`` first.
    """
    selected = [item for item in items if all(matches(item, flt) for flt in query.filters)]
    if query.count:
        return {"count": len(selected)}, []
    if newest_first:
        selected.sort(key=lambda item: (item.get("updatedAt") or 0, item.get("id") or ""), reverse=True)
    else:
        selected.sort(key=lambda item: (item.get("createdAt") or 0, item.get("id") or ""))
    for name, descending in reversed(query.order):
        selected.sort(key=lambda item, key=name: _sort_key(item, key), reverse=descending)
    page = selected[query.offset:query.offset + query.limit]
    links: dict = {}
    following = query.offset + query.limit
    if following < len(selected):
        links["next"] = {"href": f"/{collection}?continuationToken=" + quote(encode_token(following, query.carried), safe="")}
    return {"_links": links}, page
