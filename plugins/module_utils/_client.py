# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""HTTP client for the Adobe Flow Service API: one session, IMS tokens, retries, pagination, errors."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, quote, urlsplit

try:
    import requests
except ImportError:  # pragma: no cover - the module base reports missing_required_lib('requests')
    requests = None

from ansible.module_utils.common.warnings import warn

from ansible_collections.aep.flow_service.plugins.module_utils._backoff import backoff as jittered
from ansible_collections.aep.flow_service.plugins.module_utils._errors import (
    AMBIGUOUS_NOT_FOUND,
    ApiError,
    RequestFailed,
    catalog_code,
    classify,
    error_from_response,
    mark_wrong_url,
)
from ansible_collections.aep.flow_service.plugins.module_utils._options import HEADER_SAFE, header_value_errors, is_loopback
from ansible_collections.aep.flow_service.plugins.module_utils._redact import Redactor
from ansible_collections.aep.flow_service.plugins.module_utils._token import TOKEN_NOT_A_HEADER, TokenCache, mint_ims_token

FLOW_SERVICE_PATH = "/data/foundation/flowservice"
RETRY_STATUSES = frozenset((429, 502, 503, 504))
# Answers of a gateway or proxy that gave up waiting: the server behind it may have applied the write anyway.
UNCONFIRMED_STATUSES = frozenset((502, 503, 504))
MAX_RETRY_AFTER = 60.0
PAGE_SIZE = 100
MAX_PAGES = 10000


def retry_delay(attempt, response=None, backoff=0.5, cap=30.0):
    """Seconds to wait before retry number attempt (0-based): Retry-After when given, else jittered exponential backoff."""
    if response is not None:
        header = response.headers.get("Retry-After")
        if header:
            try:
                return min(max(float(header), 0.0), MAX_RETRY_AFTER)
            except ValueError:
                pass  # an HTTP date: fall back to our own backoff
    return jittered(attempt, backoff, cap)  # full jitter


class FlowServiceClient:
    """Talks to one org and sandbox of the Flow Service through one requests.Session.

    ``options`` is the validated dict of the shared connection options (see _options.py). Clients of several
    threads or sandboxes share one token when they are given the same ``tokens`` (a TokenCache).
    """

    def __init__(self, options, sleep=time.sleep, tokens=None, secrets=(), sink=None, warn=warn):
        """``secrets``: further values to redact (a module's no_log_values); ``sink`` is told of minted tokens;
        ``warn`` reports a token cache folder that cannot be trusted (a module's warnings by default)."""
        if requests is None:
            raise RuntimeError("the Python library requests is required")
        problems = header_value_errors(options)
        if problems:  # requests would refuse the header later, quoting its value (a token included)
            raise RequestFailed("; ".join(problems))
        self.options = options
        self.api_url = options["platform_url"].rstrip("/") + FLOW_SERVICE_PATH
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers.update({
            "x-api-key": options["client_id"],
            "x-gw-ims-org-id": options["org_id"],
            "x-sandbox-name": options["sandbox"],
            "Accept": "application/json",
        })
        # Passed with every request: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a Session's own
        # verify, which would silently ignore ca_path and validate_certs wherever those variables are exported.
        self.verify = True
        if not options["validate_certs"]:
            self.verify = False
        elif options.get("ca_path"):
            self.verify = options["ca_path"]
        self.session.verify = self.verify
        if tokens is None:
            redactor = Redactor(secrets, sink)
            tokens = TokenCache(options, lambda: mint_ims_token(options, self._send), redactor, warn)
        self.tokens = tokens
        # One Redactor for every client sharing these tokens: a token one thread mints is masked in every thread.
        self.redactor = tokens.redactor
        self.redactor.add(options.get("client_secret"), options.get("access_token"))
        self.request_count = 0
        self.unconfirmed_writes = 0  # writes whose answer never came: they may have landed

    # --- tokens -------------------------------------------------------------------------------------------------

    def _bearer_token(self):
        """The token to send, checked against the header rules: requests would refuse it quoting its value."""
        token = self.tokens.get()
        if isinstance(token, str) and HEADER_SAFE.match(token):
            return token
        if self.tokens.can_remint:
            self.tokens.invalidate(token)  # a cached token another process wrote: never sent, replaced
            token = self.tokens.get()
            if isinstance(token, str) and HEADER_SAFE.match(token):
                return token
        raise RequestFailed(TOKEN_NOT_A_HEADER % "the access token")

    # --- requests -----------------------------------------------------------------------------------------------

    def _send(self, method, url, params=None, json=None, data=None, headers=None, authorize=True):
        """Send one request with retries; return the successful response or raise ApiError."""
        retries = self.options["retries"]
        attempt = 0
        reminted = False
        while True:
            request_headers = dict(headers or {})
            token = None
            if authorize:
                token = self._bearer_token()
                request_headers["Authorization"] = "Bearer " + token
            try:
                self.request_count += 1
                response = self.session.request(method, url, params=params, json=json, data=data,
                                                headers=request_headers, timeout=self.options["timeout"],
                                                verify=self.verify, allow_redirects=False,
                                                proxies=self._proxies_for(url))
            except requests.exceptions.SSLError as exc:
                raise RequestFailed("TLS verification failed: %s. Point ca_path at the CA bundle that signed the "
                                    "server's certificate, or (only for testing) set validate_certs to false."
                                    % self._short(exc), method=method, url=url)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                if authorize and method != "GET":
                    self.unconfirmed_writes += 1
                if attempt < retries:
                    self.sleep(retry_delay(attempt))
                    attempt += 1
                    continue
                kind = "timed out" if isinstance(exc, requests.exceptions.Timeout) else "failed"
                raise RequestFailed("the connection %s after %d attempt(s): %s"
                                    % (kind, attempt + 1, self._short(exc)), method=method, url=url)
            except (requests.exceptions.RequestException, ValueError) as exc:
                # Never the exception's text: a refused header value is quoted in it (a token, an etag).
                if authorize and method != "GET" and isinstance(exc, ANSWER_UNREADABLE):
                    self.unconfirmed_writes += 1
                raise RequestFailed("the request failed before a usable answer came (%s)" % type(exc).__name__,
                                    method=method, url=url)
            if response.is_redirect or 300 <= response.status_code < 400:
                # Never followed: requests would re-send a PATCH body (new secrets) or the IMS form (client_secret)
                # to whatever host the Location names, and report its answer as ours.
                where = redirect_target(response, url)
                raise ApiError("the server answered with a redirect (HTTP %d) to %s; redirects are never followed, "
                               "since they would carry the request and its secrets elsewhere: check platform_url, "
                               "ims_url and any proxy in between" % (response.status_code, where),
                               status=response.status_code, request_id=response.headers.get("x-request-id"),
                               method=method, url=url)
            if response.ok:
                return response
            if response.status_code == 401 and authorize and not reminted and self.tokens.can_remint:
                # An expired token: mint a new one once and replay the request.
                self.tokens.invalidate(token)
                reminted = True
                continue
            if authorize and method != "GET" and response.status_code in UNCONFIRMED_STATUSES:
                self.unconfirmed_writes += 1
            if response.status_code in RETRY_STATUSES and attempt < retries:
                self.sleep(retry_delay(attempt, response))
                attempt += 1
                continue
            error = error_from_response(response, method, url, self.redactor.redact)
            if response.status_code in RETRY_STATUSES and retries:
                error.message += " (gave up after %d retries)" % retries
            raise error

    @staticmethod
    def _proxies_for(url):
        """"Plain http is fine on loopback" holds only with nothing in between: loopback traffic skips proxies."""
        return {"no_proxy": "*"} if is_loopback(url) else None

    def _short(self, exc):
        """A requests exception as a short, redacted text (it may quote a URL or a header)."""
        text = self.redactor.redact(str(exc))
        return text if len(text) <= 300 else text[:300] + "..."

    def request(self, method, path, params=None, body=None, headers=None):
        """Request a path below the Flow Service base URL; return the decoded JSON body (or None)."""
        url = self.api_url + path
        send_headers = dict(headers or {})
        if body is not None:
            send_headers["Content-Type"] = "application/json"
        try:
            response = self._send(method, url, params=params, json=body, headers=send_headers)
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
        self.session.close()


# Raised after the request was sent, while its answer was read: a write may have landed.
ANSWER_UNREADABLE = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) \
    if requests is not None else ()


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


def redirect_target(response, url):
    """Where a redirect points, as scheme://host[:port] only: its path and query may hold tokens or codes."""
    location = response.headers.get("Location") or ""
    try:
        parts = urlsplit(location)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "an unparsable location"
    if not location:
        return "no location"
    if not host:
        base = urlsplit(url)
        return "%s://%s (the same host)" % (base.scheme, base.hostname)
    return "%s://%s%s" % (parts.scheme or "", host, ":%d" % port if port else "")
