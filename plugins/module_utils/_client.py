# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""The Flow Service API of one org and sandbox: its URLs and headers, resources, lists and patches, errors."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, quote, urlsplit

from ansible.module_utils.common.warnings import warn

from ansible_collections.aep.flow_service.plugins.module_utils._errors import (
    AMBIGUOUS_NOT_FOUND,
    ApiError,
    RequestFailed,
    catalog_code,
    classify,
    mark_wrong_url,
)
from ansible_collections.aep.flow_service.plugins.module_utils._http import Http
from ansible_collections.aep.flow_service.plugins.module_utils._options import header_value_errors
from ansible_collections.aep.flow_service.plugins.module_utils._redact import Redactor
from ansible_collections.aep.flow_service.plugins.module_utils._throttle import Throttle
from ansible_collections.aep.flow_service.plugins.module_utils._token import TokenCache

FLOW_SERVICE_PATH = "/data/foundation/flowservice"
PAGE_SIZE = 100
MAX_PAGES = 10000


class FlowServiceClient:
    """Talks to one org and sandbox of the Flow Service through one HTTP session (one thread uses it).

    ``options`` is the validated dict of the shared connection options (see _options.py). The clients of one run
    (_api.Api) share its token holder (``tokens``, a TokenCache) and its ``throttle``; a client made alone gets
    its own.
    """

    def __init__(self, options, sleep=time.sleep, tokens=None, secrets=(), sink=None, warn=warn, throttle=None):
        """``secrets``: further values to redact (a module's no_log_values); ``sink`` is told of minted tokens;
        ``warn`` reports a token cache folder that cannot be trusted (a module's warnings by default)."""
        problems = header_value_errors(options)
        if problems:  # requests would refuse the header later, quoting its value (a token included)
            raise RequestFailed("; ".join(problems))
        self.options = options
        self.api_url = options["platform_url"].rstrip("/") + FLOW_SERVICE_PATH
        self.sleep = sleep
        if tokens is None:
            tokens = TokenCache(options, Redactor(secrets, sink), warn, sleep)
        self.tokens = tokens
        # One Redactor for every client sharing these tokens: a token one thread mints is masked in every thread.
        self.redactor = tokens.redactor
        self.redactor.add(options.get("client_secret"), options.get("access_token"))
        self.http = Http(options, self.redactor, sleep, throttle if throttle is not None else Throttle(1, sleep))
        self.session = self.http.session
        self.session.headers.update({
            "x-api-key": options["client_id"],
            "x-gw-ims-org-id": options["org_id"],
            "x-sandbox-name": options["sandbox"],
            "Accept": "application/json",
        })

    @property
    def request_count(self):
        return self.http.request_count

    @property
    def unconfirmed_writes(self):
        """Writes of this client whose answer never came: they may have landed."""
        return self.http.unconfirmed_writes

    @unconfirmed_writes.setter
    def unconfirmed_writes(self, value):
        self.http.unconfirmed_writes = value

    def request(self, method, path, params=None, body=None, headers=None):
        """Request a path below the Flow Service base URL; return the decoded JSON body (or None)."""
        url = self.api_url + path
        send_headers = dict(headers or {})
        if body is not None:
            send_headers["Content-Type"] = "application/json"
        try:
            response = self.http.send(method, url, params=params, json=body, headers=send_headers, tokens=self.tokens)
        except ApiError as exc:
            collection_request = method == "GET" and "/" not in path.strip("/")
            raise classify(exc, self.options["sandbox"], self.options["platform_url"], collection_request)
        if not response.content:
            return None
        try:
            decoded = response.json()
            problem = None if method == "GET" or isinstance(decoded, dict) else "JSON that is not an object"
        except ValueError:
            content_type = response.headers.get("Content-Type") or "no content type"
            decoded, problem = None, "a body that is not JSON (%s)" % content_type
        if problem is None:
            return decoded
        note = ""
        if method != "GET":
            # A success we cannot read (a proxy's page) is no proof either way: the write may have landed.
            self.unconfirmed_writes += 1
            note = "; the write may have been applied"
        raise RequestFailed("the server answered with %s%s" % (problem, note), status=response.status_code,
                            request_id=response.headers.get("x-request-id"), method=method, url=url)

    def get_item(self, collection, item_id):
        """GET /{collection}/{id} and unwrap the items list; None when it does not exist (404)."""
        try:
            body = self.request("GET", "/%s/%s" % (collection, _quote_id(item_id)))
        except ApiError as exc:
            if exc.status != 404 or exc.kind:
                raise  # a wrong URL or sandbox is the caller's error, not an absent resource
            if catalog_code(exc.code) == AMBIGUOUS_NOT_FOUND and not self._collection_answers(collection):
                raise mark_wrong_url(exc, self.options["platform_url"], "the list %s is not found either" % collection)
            return None
        items = (body or {}).get("items") if isinstance(body, dict) else None
        if isinstance(items, list):
            item = items[0] if items else None
        else:
            item = body if isinstance(body, dict) and body.get("id") else None
        if isinstance(item, dict) and item.get("id") not in (None, item_id):
            # never act on another resource than the one asked for (a proxy or a rewritten path could do that)
            raise ApiError("the server answered with %s %s instead of %s" % (collection, item.get("id"), item_id),
                           method="GET", url=self.api_url + "/%s/%s" % (collection, _quote_id(item_id)))
        return item

    def _collection_answers(self, collection):
        """Whether GET /{collection} is served here (one small page): tells a missing resource from a wrong URL."""
        try:
            self.request("GET", "/" + collection, params={"limit": 1})
        except ApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def list_items(self, collection, params=None):
        """GET /{collection} and follow _links.next until the last page; return every item."""
        query = {"limit": PAGE_SIZE}
        query.update(params or {})
        items = []
        seen_tokens = set()
        for dummy in range(MAX_PAGES):
            body = self.request("GET", "/" + collection, params=query) or {}
            items.extend(body.get("items") or [])
            token = next_page_token(body)
            if not token:
                return items
            if token in seen_tokens:
                raise ApiError("the server returned the same continuation token twice; stopped paging",
                               method="GET", url=self.api_url + "/" + collection)
            seen_tokens.add(token)
            query = dict(query, continuationToken=token)
        raise ApiError("more than %d pages; stopped paging" % MAX_PAGES, method="GET", url=self.api_url + "/" + collection)

    def patch(self, collection, item_id, operations, etag):
        """PATCH /{collection}/{id} with a JSON Patch guarded by If-Match; return the new etag."""
        body = self.request("PATCH", "/%s/%s" % (collection, _quote_id(item_id)), body=operations,
                            headers={"If-Match": etag})
        return (body or {}).get("etag")

    def close(self):
        self.http.close()


def next_page_token(body):
    """The continuationToken of the next page, from _links.next.href; None on the last page."""
    links = body.get("_links") if isinstance(body, dict) else None
    nxt = links.get("next") if isinstance(links, dict) else None
    href = nxt.get("href") if isinstance(nxt, dict) else nxt
    if not href or not isinstance(href, str):
        return None
    values = parse_qs(urlsplit(href).query).get("continuationToken")
    return values[0] if values and values[0] else None


def _quote_id(item_id):
    """Ids are path segments: quote anything that could change the path, refuse the dot segments."""
    text = str(item_id)
    if text in (".", ".."):
        # quoting leaves dots alone, and URL normalisation turns .../flows/. into .../flows (the list)
        raise RequestFailed("%r is not a valid id: it would address another path than one resource" % text)
    return quote(text, safe="")
