"""Error responses of the emulated services.

Three body formats exist on the wire:

* the Adobe I/O gateway's ``{"error_code": "403010", "message": "..."}`` for header problems;
* the Flow Service envelope (``type``/``title``/``status``/``report`` plus the legacy
  ``errorMessage``/``errorDetails``) for application errors, with catalog codes ``NNNN-SSS``;
* IMS's ``{"error": "...", "error_description": "..."}`` for the token endpoint.

Every error is an exception carrying its status; the server renders it with the request id.
"""
from __future__ import annotations

FLOW_TYPE_PREFIX = "https://ns.adobe.com/aep/errors/FLOW-"

# Catalog codes for HTTP statuses that a fault may inject without a body of its own.
# Statuses with no Flow Service catalog entry use the emulator-only code 0000.
FAULT_CODES = {400: ("1100", "Invalid request"), 404: ("1101", "Resource not found"),
               500: ("1102", "Internal Error"), 503: ("1103", "Service Unavailable"),
               504: ("1104", "Gateway Timeout")}

REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           408: "Request Timeout", 409: "Conflict", 412: "Precondition Failed", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


class HttpError(Exception):
    """Base class: an error response with a status, optional headers and a JSON body."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    def body(self, request_id: str) -> object:
        """The JSON body of the response."""
        del request_id
        return {"message": self.message}


class FlowError(HttpError):
    """A Flow Service application error, rendered as the FLOW envelope."""

    def __init__(self, code: str, status: int, message: str, title: str = "Invalid request", **report: object):
        super().__init__(status, message)
        self.code = code
        self.title = title
        self.report = report
        self.short: str | None = None  # the message of the short shape, for errors Adobe also shows that way

    def short_body(self) -> dict | None:
        """The short shape (``errorMessage``/``errorDetails`` only), or None when this error has none."""
        return None if self.short is None else {"errorMessage": self.short, "errorDetails": self.short}

    def body(self, request_id: str) -> dict:
        report = {"detailed-message": self.message, "request-id": request_id}
        report.update(self.report)
        return {"type": f"{FLOW_TYPE_PREFIX}{self.code}-{self.status}", "title": self.title, "status": self.status,
                "report": report, "errorMessage": self.message, "errorDetails": self.message}


class GatewayError(HttpError):
    """An Adobe I/O gateway error (bad or missing credentials headers)."""

    def __init__(self, status: int, error_code: str, message: str):
        super().__init__(status, message)
        self.error_code = error_code

    def body(self, request_id: str) -> dict:
        del request_id
        return {"error_code": self.error_code, "message": self.message}


class ContentTypeError(HttpError):
    """The gateway's problem-details style error for a body sent without ``Content-Type: application/json``."""

    def __init__(self) -> None:
        super().__init__(400, "A valid content-type must be specified")

    def body(self, request_id: str) -> dict:
        del request_id
        return {"type": "/placeholder/type/uri", "status": 400, "title": "BadRequestError", "detail": self.message}


class ImsError(HttpError):
    """An IMS token endpoint error."""

    def __init__(self, status: int, error: str, description: str):
        super().__init__(status, description)
        self.error = error

    def body(self, request_id: str) -> dict:
        del request_id
        return {"error": self.error, "error_description": self.message}


class ControlError(HttpError):
    """An error of the test-only control API (plain ``{"error": ...}``)."""

    def body(self, request_id: str) -> dict:
        del request_id
        return {"error": self.message}


def injected(status: int, headers: dict[str, str] | None = None) -> FlowError:
    """The FLOW envelope returned by a ``status`` fault that has no body of its own."""
    code, title = FAULT_CODES.get(status, ("0000", REASONS.get(status, "Error")))
    error = FlowError(code, status, f"Injected fault: HTTP {status} {REASONS.get(status, '')}".rstrip(), title=title)
    error.headers = dict(headers or {})
    return error


# Gateway errors, checked in this order by the gateway module.
def token_missing() -> GatewayError:
    """No Authorization header."""
    return GatewayError(403, "403010", "Oauth token is missing.")


def token_invalid() -> GatewayError:
    """Unknown, malformed or expired bearer token."""
    return GatewayError(401, "401013", "Oauth token is not valid")


def api_key_missing() -> GatewayError:
    """No x-api-key header."""
    return GatewayError(403, "403000", "Api Key is required")


def api_key_invalid() -> GatewayError:
    """x-api-key is not the client the token was issued to."""
    return GatewayError(403, "403003", "Api Key is invalid")


def org_missing() -> GatewayError:
    """No x-gw-ims-org-id header."""
    return GatewayError(400, "400003", "Missing header")


def profile_invalid() -> GatewayError:
    """The token's organization is not the one named in x-gw-ims-org-id."""
    return GatewayError(403, "403025", "Profile is not valid")


def too_many_requests(headers: dict[str, str]) -> GatewayError:
    """The Adobe I/O gateway's 429 (the body Adobe documents for its Analytics and CJA APIs on adobe.io)."""
    error = GatewayError(429, "429050", "Too many requests")
    error.headers = dict(headers)
    return error


# Flow Service catalog errors.
def not_found(collection: str, rid: str) -> FlowError:
    """A resource id that does not exist in the sandbox (short shape: the destinations OpenAPI file's 404 example)."""
    error = FlowError("1439", 404, f"The requested {collection} resource {rid} is not found. Verify the resource ID before trying again.",
                      title="Resource not found", id=rid, type=collection)
    error.short = f"{collection} not found with id = [{rid}]"
    return error


def route_not_found(path: str) -> FlowError:
    """A path under the API base that the emulator does not serve."""
    return FlowError("1101", 404, f"The requested resource is not found. No route matches '{path}'.", title="Resource not found")


def method_not_allowed(method: str, path: str, allowed: list[str]) -> FlowError:
    """A known path with a method the emulator does not implement."""
    error = FlowError("0000", 405, f"The method {method} is not supported on '{path}'.", title="Method Not Allowed")
    error.headers["Allow"] = ", ".join(allowed)
    return error


def if_match_missing() -> FlowError:
    """PATCH without If-Match."""
    return FlowError("1403", 400, "The header 'If-Match' is missing in the request. Please provide the header and try again.",
                     title="Header is missing")


def version_mismatch(supplied: str, current: str) -> FlowError:
    """If-Match that is not the current etag (stale, unquoted, weak or '*')."""
    error = FlowError("1404", 412, f"Supplied version=[{supplied}] does not match the current version on entity=[{current}]",
                      title="Version not matching")
    error.short = error.message  # the destinations OpenAPI file's 412 example has the same text, short-shaped
    return error


def empty_body() -> FlowError:
    """PATCH with no body or an empty patch array."""
    return FlowError("1405", 400, "The request body cannot be null or empty. Please provide a request body and try again.")


def unsupported_op(op: str) -> FlowError:
    """A JSON Patch op other than add, replace, remove."""
    return FlowError("1434", 400, f"Unsupported operation '{op}' received. Please use one of the supported operation types and try again.")


def patch_invalid(detail: str) -> FlowError:
    """A patch that cannot be applied or whose result does not fit the connection spec."""
    return FlowError("1455", 400, f"An error has occurred while validating patch instructions: {detail}")


def connection_spec_immutable() -> FlowError:
    """A patch touching /connectionSpec."""
    return FlowError("1414", 400, "The connection spec of a connection cannot be updated.")


def auth_spec_not_found(spec_name: str, spec_id: str) -> FlowError:
    """auth.specName names no authSpec of the connection spec."""
    return FlowError("1415", 400, f"The auth spec '{spec_name}' could not be found for the connection spec ID {spec_id}.")


def limit_and_count() -> FlowError:
    """limit and count in the same list request."""
    return FlowError("1401", 400, "The limit and count parameters cannot be given together in the same request. "
                                  "Please provide either only the limit or the count parameter and try again.")


def invalid_query_value(name: str, value: str) -> FlowError:
    """A query parameter with a value the API does not accept (e.g. limit above 100)."""
    return FlowError("1453", 400, f"Invalid query value {name}={value} provided in query param.")


def invalid_query_param(name: str) -> FlowError:
    """A query parameter the list endpoints do not know."""
    return FlowError("1451", 400, f"Invalid params {name} provided in query params.")


def invalid_filter_field(field: str) -> FlowError:
    """A property filter on a field the resource does not have."""
    return FlowError("1449", 400, f"Invalid field {field} in filter params.")


def invalid_operator(op: str) -> FlowError:
    """A property filter with an unknown operator."""
    return FlowError("1450", 400, f"Invalid operator {op} in filter params.")


def operator_multi_value(op: str) -> FlowError:
    """An ordering operator given several comma-separated values."""
    return FlowError("1443", 400, f"Operator '{op}' is not allowed for multiple values.")


def invalid_filter_value(value: str, field: str) -> FlowError:
    """A non-numeric value compared with an ordering operator on a numeric field."""
    return FlowError("1452", 400, f"Invalid value {value} for field {field}.")


def bad_sort_order() -> FlowError:
    """An orderby with a prefix other than + or -."""
    return FlowError("1432", 400, "Sort order specified is not correct, prepend + for ascending order and - for descending order in the fieldName.")


def bad_sort_field(field: str) -> FlowError:
    """An orderby on a field that cannot be sorted."""
    return FlowError("1433", 400, f"Incorrect field= {field} passed in orderBy, example are +name, -name, name.")


def action_not_allowed(action: str, state: str) -> FlowError:
    """enable on an enabled flow, disable on a disabled one."""
    return FlowError("1422", 400, f"The action {action} cannot be applied on the current state {state}. Please update the action and try again.")


def action_provider_only(action: str) -> FlowError:
    """finalize/publish style actions, reserved to providers."""
    return FlowError("1402", 400, f"The action '{action}' is supported for provider requests only.")


def unsupported_sub_op(sub_op: str, action: str) -> FlowError:
    """A subOp sent with enable or disable."""
    return FlowError("1436", 400, f"Unsupported sub operation {sub_op} received for operation {action}.")


def sandbox_missing() -> FlowError:
    """No x-sandbox-name in strict-sandbox mode."""
    return FlowError("2105", 400, "The header x-sandbox-name is missing in the request. Please add the header in the request and try again.",
                     title="Header is missing")


def sandbox_not_found(name: str, code: str = "2100", sandbox_id: str | None = None) -> FlowError:
    """An x-sandbox-name that is not a sandbox of the organization, with one of the catalog's three codes."""
    messages = {
        "2100": f"The sandbox with the name '{name}' could not be found. Please ensure that the sandbox name is correct and try again.",
        "2101": f"The sandbox with the name '{name}' could not be found. Error from Sandbox Management API: Sandbox with name '{name}' "
                "not present. Please check if resource exists.",
        "2103": f"The sandbox with ID {sandbox_id or 'null'} and name {name} could not be found. Please ensure that the ID and sandbox "
                "name values are correct and try again.",
    }
    return FlowError(code, 404, messages[code], title="Sandbox not found")


def update_not_allowed() -> FlowError:
    """A dataflow PATCH while an earlier update is still being applied."""
    return FlowError("1416", 400, "Delete or Update can only be applied on connection with enabled, disabled or initializing state.")


def state_cannot_be_updated(state: str) -> FlowError:
    """A dataflow PATCH while an enable or disable is still being applied."""
    return FlowError("1420", 400, f"The current state {state} cannot be updated.")


def state_cannot_be_transitioned(state: str) -> FlowError:
    """An enable or disable while an earlier write is still being applied."""
    return FlowError("1421", 400, f"The current state {state} cannot be transitioned.")


def internal_error() -> FlowError:
    """An unexpected exception inside the emulator."""
    return FlowError("1102", 500, "An internal error has occurred. Please try again. If the problem persists, please contact customer support.",
                     title="Internal Error")


def bad_json(detail: str) -> FlowError:
    """A body that is not valid JSON."""
    return FlowError("1455", 400, f"An error has occurred while validating patch instructions: the body is not valid JSON ({detail})")
