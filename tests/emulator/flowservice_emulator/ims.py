"""Adobe IMS as far as a server-to-server client sees it: ``POST /ims/token/v3`` and the tokens it mints.

The form (``application/x-www-form-urlencoded`` body, or the query string) carries ``grant_type``,
``client_id``, ``client_secret`` and ``scope``. Static tokens from the data file never expire;
minted tokens live ``lifetime`` seconds, survive ``/_emulator/reset`` and can all be expired at once.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from . import errors


@dataclass(frozen=True)
class Client:
    """An OAuth server-to-server credential."""

    client_id: str
    client_secret: str
    org: str
    scopes: tuple[str, ...] = ()


@dataclass
class Token:
    """An access token and who it belongs to."""

    client: Client
    expires_at: float | None  # None: a static token that never expires


class TokenRegistry:
    """Known clients, static tokens and minted tokens (thread-safe)."""

    def __init__(self, clients: list[Client], static_tokens: dict[str, str], lifetime: int) -> None:
        self.clients = {client.client_id: client for client in clients}
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._static = {token: Token(self.clients[client_id], None) for token, client_id in static_tokens.items()}
        self._minted: dict[str, Token] = {}

    def mint(self, client: Client) -> str:
        """Issue a new token for ``client``."""
        token = "emu-" + secrets.token_urlsafe(32)
        with self._lock:
            self._minted[token] = Token(client, time.time() + self.lifetime)
        return token

    def resolve(self, token: str) -> Client | None:
        """The client of a valid token; None for an unknown or expired one."""
        with self._lock:
            found = self._static.get(token) or self._minted.get(token)
        if found is None or (found.expires_at is not None and time.time() >= found.expires_at):
            return None
        return found.client

    def expire_all(self) -> None:
        """Make every minted token expired; static tokens stay valid."""
        with self._lock:
            for token in self._minted.values():
                token.expires_at = 0.0

    def exchange(self, raw_query: str, body: bytes, content_type: str) -> dict:
        """Handle a token request and return the token response; raises ImsError."""
        form = dict(parse_qsl(raw_query, keep_blank_values=True))
        if body and content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
            form.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        grant_type = form.get("grant_type")
        if not grant_type:
            raise errors.ImsError(400, "invalid_request", "grant_type parameter is missing")
        if grant_type != "client_credentials":
            raise errors.ImsError(400, "unsupported_grant_type", f"unsupported grant_type {grant_type}")
        client = self.clients.get(form.get("client_id", ""))
        if client is None:
            raise errors.ImsError(400, "invalid_client", "invalid client_id parameter")
        if not secrets.compare_digest(form.get("client_secret", ""), client.client_secret):
            raise errors.ImsError(401, "invalid_client", "invalid client_secret parameter")
        requested = [scope.strip() for scope in form.get("scope", "").split(",") if scope.strip()]
        refused = [scope for scope in requested if client.scopes and scope not in client.scopes]
        if refused:
            raise errors.ImsError(400, "invalid_scope", f"Invalid scope(s): {','.join(refused)}")
        return {"access_token": self.mint(client), "token_type": "bearer", "expires_in": self.lifetime}


def loggable_form(raw_query: str, body: bytes) -> dict:
    """What the request log keeps of a token request: grant_type and client_id, never the secret."""
    form = dict(parse_qsl(raw_query, keep_blank_values=True))
    form.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return {"grant_type": form.get("grant_type"), "client_id": form.get("client_id")}
