# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""One HTTP session as IMS and the Flow Service need it: TLS, proxies, timeouts, retries, redirects refused,
a fresh token after a 401, and 429 answers waited out together with the run's other requests (_throttle.py)."""

from __future__ import annotations

import math
import os
import time
from urllib.parse import urlsplit

try:
    import requests
except ImportError:  # pragma: no cover - the module base reports missing_required_lib('requests')
    requests = None

from ansible_collections.aep.flow_service.plugins.module_utils._backoff import backoff as jittered
from ansible_collections.aep.flow_service.plugins.module_utils._errors import ApiError, RequestFailed, error_from_response
from ansible_collections.aep.flow_service.plugins.module_utils._options import HEADER_SAFE, TOKEN_NOT_A_HEADER, is_loopback

RETRY_STATUSES = frozenset((429, 502, 503, 504))
# Answers of a gateway or proxy that gave up waiting: the server behind it may have applied the write anyway.
UNCONFIRMED_STATUSES = frozenset((502, 503, 504))
MAX_RETRY_AFTER = 60.0


def retry_after(response):
    """The Retry-After header in seconds (at most MAX_RETRY_AFTER), or None when absent, an HTTP date or NaN."""
    header = response.headers.get("Retry-After") if response is not None else None
    if header:
        try:
            seconds = float(header)
        except ValueError:
            return None  # an HTTP date: the caller falls back to its own backoff
        if not math.isnan(seconds):  # time.sleep refuses NaN
            return min(max(seconds, 0.0), MAX_RETRY_AFTER)
    return None


def retry_delay(attempt, response=None, backoff=0.5, cap=30.0):
    """Seconds to wait before retry number attempt (0-based): Retry-After when given, else jittered exponential backoff."""
    given = retry_after(response)
    return given if given is not None else jittered(attempt, backoff, cap)


class Http:
    """One ``requests.Session`` (one thread uses it) and the rules every request follows.

    ``throttle`` (a _throttle.Throttle shared by the run's threads) paces the requests that carry a token; the
    token requests to IMS, another service, go unthrottled.
    """

    def __init__(self, options, redactor, sleep=time.sleep, throttle=None):
        if requests is None:
            raise RuntimeError("the Python library requests is required")
        self.options = options
        self.redactor = redactor
        self.sleep = sleep
        self.throttle = throttle
        self.session = requests.Session()
        # requests would look the environment up on every request (proxies, CA bundle, ~/.netrc): a large batch
        # spent 13% of its CPU there. Proxies are looked up once per host (proxies_for), the CA bundle once here,
        # and ~/.netrc never: its credentials would replace our Authorization header, or go to IMS with the form.
        self.session.trust_env = False
        if not options["validate_certs"]:
            self.verify = False
        elif options.get("ca_path"):
            self.verify = options["ca_path"]
        else:  # what requests itself trusts: the variables exported on many controllers and execution environments
            self.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        self.session.verify = self.verify
        self.proxies = {}
        self.request_count = 0
        self.unconfirmed_writes = 0  # writes whose answer never came: they may have landed

    def proxies_for(self, url):
        """The environment's proxies for this URL's host, looked up once; none on loopback, where "plain http is
        fine" holds only with nothing in between."""
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        if origin not in self.proxies:
            self.proxies[origin] = {} if is_loopback(url) else dict(requests.utils.get_environ_proxies(url))
        return self.proxies[origin]

    def bearer(self, tokens):
        """The token to send, checked against the header rules: requests would refuse it quoting its value."""
        token = tokens.get()
        if isinstance(token, str) and HEADER_SAFE.match(token):
            return token
        if tokens.can_remint:
            tokens.invalidate(token)  # a cached token another process wrote: never sent, replaced
            token = tokens.get()
            if isinstance(token, str) and HEADER_SAFE.match(token):
                return token
        raise RequestFailed(TOKEN_NOT_A_HEADER % "the access token")

    def send(self, method, url, params=None, json=None, data=None, headers=None, tokens=None):
        """Send one request with retries; return the successful response or raise ApiError.

        ``tokens`` (a token holder) authorizes the request; without it (the IMS form) it is neither authorized
        nor throttled.
        """
        retries = self.options["retries"]
        attempt = 0
        reminted = False
        write = tokens is not None and method != "GET"
        throttle = self.throttle if tokens is not None else None
        progress = throttle.answers if throttle is not None else 0  # the pool's answers when we last looked
        waited = None  # the end of the pause our own last 429 began (slept through already)
        first_429 = None  # when this request was first throttled: its own 429s end at the stall limit too
        while True:
            request_headers = dict(headers or {})
            token = None
            if tokens is not None:
                token = self.bearer(tokens)
                request_headers["Authorization"] = "Bearer " + token
            try:
                response = self.exchange(throttle, waited, method, url, params=params, json=json, data=data,
                                         headers=request_headers)
            except requests.exceptions.SSLError as exc:
                raise RequestFailed("TLS verification failed: %s. Point ca_path at the CA bundle that signed the "
                                    "server's certificate, or (only for testing) set validate_certs to false."
                                    % self.short(exc), method=method, url=url)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                if write:
                    self.unconfirmed_writes += 1
                if attempt < retries:
                    self.sleep(retry_delay(attempt))
                    attempt += 1
                    continue
                kind = "timed out" if isinstance(exc, requests.exceptions.Timeout) else "failed"
                raise RequestFailed("the connection %s after %d attempt(s): %s"
                                    % (kind, attempt + 1, self.short(exc)), method=method, url=url)
            except (requests.exceptions.RequestException, ValueError) as exc:
                # Never the exception's text: a refused header value is quoted in it (a token, an etag).
                if write and isinstance(exc, ANSWER_UNREADABLE):
                    self.unconfirmed_writes += 1
                raise RequestFailed("the request failed before a usable answer came (%s)" % type(exc).__name__,
                                    method=method, url=url)
            throttled = throttle is not None and response.status_code == 429
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
            if response.status_code == 401 and tokens is not None and not reminted and tokens.can_remint:
                # An expired token: mint a new one once and replay the request.
                tokens.invalidate(token)
                reminted = True
                continue
            if write and response.status_code in UNCONFIRMED_STATUSES:
                self.unconfirmed_writes += 1
            given_up = None
            if throttled and retries:
                first_429 = throttle.clock() if first_429 is None else first_429
                seconds, waited = throttle.pause(retry_after(response))  # the others wait it out, whatever we do
                given_up = throttle.given_up(first_429)
                others_got_through = throttle.answers != progress  # then this 429 spends no retry
                progress = throttle.answers
                if given_up is None and (others_got_through or attempt < retries):
                    attempt += 0 if others_got_through else 1
                    self.sleep(seconds)
                    continue
            elif response.status_code in RETRY_STATUSES and attempt < retries:
                self.sleep(retry_delay(attempt, response))
                attempt += 1
                continue
            error = error_from_response(response, method, url, self.redactor.redact)
            if given_up is not None:
                error.message += " (%s)" % given_up
            elif response.status_code in RETRY_STATUSES and retries:
                error.message += " (gave up after %d retries)" % retries
            raise error

    def exchange(self, throttle, waited, method, url, **kwargs):
        """One request and its answer, in a slot of the run's pool when there is one (requests' exceptions pass)."""
        ticket = throttle.acquire(waited) if throttle is not None else None
        response = None
        try:
            self.request_count += 1
            response = self.session.request(method, url, timeout=self.options["timeout"], verify=self.verify,
                                            allow_redirects=False, proxies=self.proxies_for(url), **kwargs)
            return response
        finally:
            if throttle is not None:
                throttle.release(ticket, response.status_code if response is not None else None)

    def short(self, exc):
        """A requests exception as a short, redacted text (it may quote a URL or a header)."""
        text = self.redactor.redact(str(exc))
        return text if len(text) <= 300 else text[:300] + "..."

    def close(self):
        self.session.close()


# Raised after the request was sent, while its answer was read: a write may have landed.
ANSWER_UNREADABLE = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) \
    if requests is not None else ()


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
