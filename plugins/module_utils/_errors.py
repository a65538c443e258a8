# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""What an error answer of the Flow Service means: a missing resource, a wrong URL, a sandbox, a busy resource.

The rules, from Adobe's sources (shared/reference/flowservice-api.md sections 4.1 and 4.2):

* A resource that does not exist is answered 404 *by the Flow Service*, with its error body: the envelope
  (``type`` .../errors/FLOW-1439-404 or FLOW-1101-404, ``report``, ``errorMessage``) or, in Adobe's own
  examples, only ``errorMessage``/``errorDetails``. So a 404 whose body has none of these fields (an HTML page,
  an empty body, a gateway's ``error_code``) did not come from the Flow Service: ``platform_url`` is wrong.
* A collection (``GET /flows``) always exists, so a 404 on a list is never "nothing there": the URL is wrong.
* ``1101-404`` is documented as "Resource with given id does not exist", but it is also what a router answers
  for a path it does not know (our emulator does). On one resource it is settled by reading the collection
  (the client does that): a list that answers means the resource is missing, a list that 404s too means the URL.
* ``2100-404``, ``2101-404`` and ``2103-404`` say the sandbox does not exist (or the credential cannot see it);
  so does their catalog text in a body without a code.
* ``1416``, ``1420`` and ``1421`` (and their messages, "current state X cannot be updated/transitioned") say an
  operation on the resource is still in progress: a later write can succeed, so the write loop waits them out.
"""

from __future__ import annotations

import re

SANDBOX_NOT_FOUND = ("2100-404", "2101-404", "2103-404")
AMBIGUOUS_NOT_FOUND = "1101-404"
IN_PROGRESS = ("1416-400", "1420-400", "1421-400")
# The documented texts of the in-progress family, for bodies that carry only errorMessage (no code).
IN_PROGRESS_TEXT = re.compile(r"current state (?P<state>[\w-]+) cannot be (?:updated|transitioned)"
                              r"|can only be applied on \w+ with enabled, disabled or initializing state", re.I)
# The catalog's sandbox texts, for a body that carries only errorMessage (no code): never "wrong URL" or "missing".
SANDBOX_TEXT = re.compile(r"sandbox with (?:the name|ID) .* could not be found", re.I)
CATALOG_CODE = re.compile(r"(?:^|\D)(\d{4}-\d{3})$")
FLOW_SERVICE_BODY_KEYS = ("report", "errorMessage", "errorDetails")

WRONG_URL = "wrong_url"
SANDBOX = "sandbox_not_found"
BUSY = "in_progress"


def catalog_code(code):
    """The catalog code ("2100-404") in an error code such as "FLOW-2100-404"; None for other codes."""
    match = CATALOG_CODE.search(str(code or ""))
    return match.group(1) if match else None


def is_flow_service_body(body):
    """Whether a decoded error body is one the Flow Service writes (envelope or Adobe's short shape)."""
    if not isinstance(body, dict):
        return False
    error_type = body.get("type")
    if isinstance(error_type, str) and "/errors/FLOW-" in error_type:
        return True
    return any(body.get(key) for key in FLOW_SERVICE_BODY_KEYS)


def classify(error, sandbox, platform_url, collection_request):
    """Set ``error.kind`` (and say what to do in its message) for the answers that mean more than their status.

    ``collection_request`` is true for a list (``GET /flows``), which can never be missing.
    """
    code = catalog_code(error.code)
    if code in SANDBOX_NOT_FOUND or (error.status == 404 and SANDBOX_TEXT.search(error.message or "")):
        return mark_sandbox(error, sandbox)
    if code in IN_PROGRESS or (error.status == 400 and IN_PROGRESS_TEXT.search(error.message or "")):
        error.kind = BUSY
        return error
    if error.status == 404 and collection_request:
        return mark_wrong_url(error, platform_url, "a collection is never missing")
    if error.status == 404 and not error.flow_service_body:
        return mark_wrong_url(error, platform_url, "the answer is not a Flow Service error")
    return error


def mark_sandbox(error, sandbox):
    error.kind = SANDBOX
    error.message = "sandbox %r was not found: %s" % (sandbox, error.message)
    error.hint = (" Check the sandbox option (AEP_SANDBOX_NAME): it takes the sandbox's technical name, in lower "
                  "case (e.g. prod), and the credential must have access to it.")
    return error


def mark_wrong_url(error, platform_url, reason):
    error.kind = WRONG_URL
    error.message = ("platform_url %s does not lead to the Flow Service API: 404 Not Found, and %s (the server "
                     "said: %s)" % (platform_url, reason, error.message))
    error.hint = (" Check platform_url (AEP_PLATFORM_URL): it is the host only, such as https://platform.adobe.io; "
                  "the collection adds /data/foundation/flowservice itself.")
    return error


def busy_state(error, current=None):
    """What was in progress, as far as the answer or the resource tell: "updating", or "an operation"."""
    match = IN_PROGRESS_TEXT.search(error.message or "")
    if match and match.group("state"):
        return match.group("state")
    state = (current or {}).get("state")
    if state and state not in ("enabled", "disabled"):
        return str(state)
    return "an operation"


class AepError(Exception):
    """What this collection raises for a person: its text says what happened, never a header, token or secret."""

    tells_writes = False  # whether the text says itself what became of our writes (see failure)


class ApiError(AepError):
    """A request to the API (Flow Service, IMS or a gateway in front) that failed: the error answer, described
    for people, with its status, error code and request id.

    RequestFailed, its subclass, is a request that got no usable answer or could not be sent; every caller of
    the client catches ApiError for both, since they fail the same way (and return the same ``api_error``).
    """

    def __init__(self, message, status=None, code=None, title=None, request_id=None, method=None, url=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.title = title
        self.request_id = request_id
        self.method = method
        self.url = url
        self.kind = None  # what the answer means beyond its status (see classify), such as WRONG_URL above
        self.hint = None  # what to do, when the status alone would suggest the wrong thing
        self.flow_service_body = False  # the error body is one the Flow Service writes

    def to_dict(self):
        """The structured fields a module returns beside its msg."""
        return {
            "status": self.status,
            "error_code": self.code,
            "title": self.title,
            "message": self.message,
            "request_id": self.request_id,
            "method": self.method,
            "url": self.url,
        }

    def __str__(self):
        parts = []
        if self.method and self.url:
            parts.append("%s %s" % (self.method, self.url))
        if self.status:
            parts.append("HTTP %s" % self.status)
        if self.code:
            parts.append(self.code)
        text = ", ".join(parts)
        text = "%s: %s" % (text, self.message) if text else self.message
        if self.request_id:
            text += " (request id %s)" % self.request_id
        return text


def error_from_response(response, method, url, redact=None):
    """Turn a Flow Service, gateway or IMS error response into an ApiError.

    ``redact`` (Redactor.redact) masks known secrets in what the server wrote, before anything is cut short.
    """
    redact = redact or str
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    report = body.get("report") if isinstance(body.get("report"), dict) else {}
    code = None
    error_type = body.get("type")
    if isinstance(error_type, str) and "/errors/" in error_type:
        code = error_type.rsplit("/", 1)[-1]
    elif body.get("error_code"):
        code = str(body["error_code"])
    elif body.get("error"):  # IMS
        code = str(body["error"])
    text = redact((response.text or "").strip())
    if text.startswith("<"):  # an HTML error page (a proxy, a gateway, a server's default page): no message in it
        text = ""
    message = (
        report.get("detailed-message")
        or body.get("errorMessage")
        or body.get("message")
        or body.get("detail")
        or body.get("error_description")
        or text[:500]
        or response.reason
        or "request failed"
    )
    request_id = report.get("request-id") or response.headers.get("x-request-id")
    error = ApiError(
        redact(message),
        status=response.status_code,
        code=redact(code) if code else code,
        title=redact(body.get("title") or response.reason),
        request_id=request_id,
        method=method,
        url=url,
    )
    error.flow_service_body = is_flow_service_body(body)
    return error


class RequestFailed(ApiError):
    """A request that got no usable answer (a dropped connection, a timeout, TLS, an unreadable reply) or that
    could not be sent at all (an id that would address another path, a value that cannot be a header)."""


class ConvergeError(AepError):
    """A resource that could not be brought to the desired state; its subclasses say why. The class itself is
    for what fits none of them (a resource of an unexpected shape, an internal error)."""


class NotFound(ConvergeError):
    """A resource, a dataflow or a connection spec that the sandbox does not hold."""


class InvalidInput(ConvergeError):
    """Options that cannot be honoured: params the connection spec refuses, a missing secret, an id of the wrong
    kind, a dataflow with several connections and none picked. Nothing was written for them."""


class Conflict(ConvergeError):
    """The resource kept changing under us (412 after 412): someone else is writing it."""

    tells_writes = True


class StillBusy(ConvergeError):
    """An operation on the resource stayed in progress beyond the wait."""

    tells_writes = True


UNCONFIRMED_WRITE_NOTE = (" A write got no usable answer (a dropped connection, a timeout, a gateway's 502/503/504 or "
                          "an unreadable reply), so it may have been applied "
                          "anyway: run the task again to see the current state and converge.")

ERROR_HINTS = {
    401: " Check client_id/client_secret (or that access_token has not expired).",
    403: " Check that the API credential has access to this org and sandbox, and that client_id is the token's client.",
    404: " Check the id and the sandbox it lives in.",
    429: " The API kept throttling (429 Too Many Requests): run again later, or with fewer workers or forks.",
}


def failure(error, action, unconfirmed=False, finding=False):
    """The message and the extra result keys for ``error`` (an AepError) raised while ``action`` was being done.

    Every module (AepModule.fail_for) and the batch (each destination's ``error``) word failures here:
    "<action> failed: <what happened>", with, for an API error, what to check for its status and its
    structured fields (``api_error``). ``unconfirmed``: a write of this run got no usable answer, so the
    message says it may have landed (unless the error says so itself) and ``write_unconfirmed`` is set.
    ``finding``: the step reads a dataflow to find which connection to converge; its NotFound and
    InvalidInput name the dataflow and the option to use, so they stand alone.
    """
    keys = {"write_unconfirmed": True} if unconfirmed else {}
    note = UNCONFIRMED_WRITE_NOTE if unconfirmed and not error.tells_writes else ""
    if isinstance(error, ApiError):
        hint = error.hint if error.hint is not None else ERROR_HINTS.get(error.status, "")
        keys["api_error"] = error.to_dict()
        return "%s failed: %s%s%s" % (action, error, hint, note), keys
    if finding:
        return str(error), keys
    return "%s failed: %s%s" % (action, error, note), keys
