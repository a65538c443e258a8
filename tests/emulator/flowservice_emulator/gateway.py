"""The Adobe I/O gateway checks in front of the Flow Service, in the gateway's order.

1. ``Authorization: Bearer <token>``: missing -> 403 ``403010``; unknown or expired -> 401 ``401013``;
2. ``x-api-key``: missing -> 403 ``403000``; not the client the token was issued to -> 403 ``403003``;
3. ``x-gw-ims-org-id``: missing -> 400 ``400003``; not the token's organization -> 403 ``403025``;
4. a request with a body (any PATCH, a POST or PUT with bytes) without ``Content-Type: application/json``
   -> 400 BadRequestError;
5. ``x-sandbox-name``: missing -> ``prod`` (or 400 ``FLOW-2105-400`` with ``--strict-sandbox``);
   unknown -> 404 ``FLOW-2100-404`` (or ``2101``/``2103``, as the ``sandbox_error`` setting says).
"""
from __future__ import annotations

from . import errors
from .ims import Client, TokenRegistry

DEFAULT_SANDBOX = "prod"


def _header(headers, name: str) -> str:
    return (headers.get(name) or "").strip()


def authenticate(headers, tokens: TokenRegistry) -> Client:
    """Checks 1 to 3; return the calling client."""
    authorization = _header(headers, "Authorization")
    if not authorization:
        raise errors.token_missing()
    scheme, token = (authorization.split(" ", 1) + [""])[:2]
    client = tokens.resolve(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if client is None:
        raise errors.token_invalid()
    api_key = _header(headers, "x-api-key")
    if not api_key:
        raise errors.api_key_missing()
    if api_key != client.client_id:
        raise errors.api_key_invalid()
    org = _header(headers, "x-gw-ims-org-id")
    if not org:
        raise errors.org_missing()
    if org != client.org:
        raise errors.profile_invalid()
    return client


def check_content_type(headers, method: str, body: bytes) -> None:
    """Check 4."""
    if method == "PATCH" or (method in ("POST", "PUT") and body):
        media_type = _header(headers, "Content-Type").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise errors.ContentTypeError()


def resolve_sandbox(headers, known: set[str], strict: bool, not_found_code: str = "2100") -> str:
    """Check 5; return the sandbox name."""
    name = _header(headers, "x-sandbox-name")
    if not name:
        if strict:
            raise errors.sandbox_missing()
        name = DEFAULT_SANDBOX
    if name not in known:
        raise errors.sandbox_not_found(name, not_found_code, _header(headers, "x-sandbox-id") or None)
    return name
